package cli

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/bundlescan/bundletest"
	"github.com/secretsctl/secretsctl/internal/sarif/sariftest"
	"github.com/secretsctl/secretsctl/internal/storetest"
)

// TestVerifyBundleHiddenPlaces is the acceptance of issue 17 §2: a value
// planted in each place of a container's own bytes fails the check with
// exit 10 and a finding naming the place, in every format, never the value.
func TestVerifyBundleHiddenPlaces(t *testing.T) {
	dir := storetest.NewExample(t)
	for _, h := range bundletest.HiddenPlaces(t, []byte(canary)) {
		t.Run(h.Case, func(t *testing.T) {
			bundle := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(bundle, h.File), h.Data, 0o644))
			for _, format := range []string{"text", "sarif"} {
				out, errOut, code := runVB(t, dir, bundle, format, testValues)
				assert.NotContains(t, out+errOut, canary[:8], "no value in any output")
				if h.Place == "" {
					assert.Equal(t, ExitOK, code, errOut)
					continue
				}
				assert.Equal(t, ExitCheckFailed, code, errOut)
				if format == "sarif" {
					sariftest.Validate(t, []byte(out))
					assert.Contains(t, out, `"uri": "`+h.File+`"`)
					continue
				}
				assert.Contains(t, out, h.Place+"@")
				assert.Contains(t, out, "value of postgres/POSTGRES_PASSWORD (raw)")
			}
		})
	}
}

// test that a zip whose 100 entries share one deflate stream is refused
// as a zip bomb with exit 4 in well under a second.
func TestVerifyBundleOverlappingZip(t *testing.T) {
	dir := storetest.NewExample(t)
	bundle := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bundle, "bomb.zip"), bundletest.OverlappingZip(t, 100, 64<<20), 0o644))
	start := time.Now()
	_, errOut, code := runVB(t, dir, bundle, "text", testValues)
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, ExitInvalid, code, errOut)
	assert.Contains(t, errOut, "bomb.zip")
	assert.Contains(t, errOut, "zip bomb")
}
