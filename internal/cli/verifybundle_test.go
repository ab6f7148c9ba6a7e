package cli

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/internal/sarif/sariftest"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

const canary = "canary-9d1e-POSTGRES-pw"

// mapValues resolves from a fixed map, in place of the sources of SPEC §8
// (bundleValues, tested end to end in verify_bundle.txtar).
func mapValues(vals map[string]string) valueResolver {
	return func(_ context.Context, _ *store.Snapshot, _, _ string, ids []string) (map[string][]byte, []string, error) {
		out := map[string][]byte{}
		var missing []string
		for _, id := range ids {
			if v, ok := vals[id]; ok {
				out[id] = []byte(v)
			} else {
				missing = append(missing, id)
			}
		}
		return out, missing, nil
	}
}

var testValues = map[string]string{
	"postgres/POSTGRES_PASSWORD": canary,
	"postgres/POSTGRES_USER":     "picker_admin_user",
	"postgres/POSTGRES_HOST":     "db.internal.example",
	"postgres/POSTGRES_DB":       "picker_wheel_prod",
	"postgres/POSTGRES_PORT":     "5432",
	"n8n/N8N_EMAIL":              "ops@example.com",
	"ollama/OLLAMA_HOST":         "http://ollama.internal:11434",
}

func runVB(t *testing.T, dir, bundle, format string, vals map[string]string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: os.Getenv, cwd: dir}
	err := runVerifyBundle(context.Background(), verifyBundleOptions{Scenario: "picker-wheel", Tier: "desktop",
		Path: bundle, Format: format, resolve: mapValues(vals)}, e)
	code := report(&errOut, err)
	return out.String(), errOut.String(), code
}

func zipFile(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, _ = w.Write([]byte(data))
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

// TestVerifyBundle runs the command on the example store: a clean bundle
// passes, a leaked value and a rendered stripped name fail with exit 10 in
// every format, and the values never appear in any output (canary).
func TestVerifyBundle(t *testing.T) {
	dir := storetest.NewExample(t)
	bundle := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bundle, "index.html"), []byte("<html>ok</html>"), 0o644))
	zipFile(t, filepath.Join(bundle, "app.jar"), map[string]string{"config/app.json": `{"theme": "dark"}`})

	out, errOut, code := runVB(t, dir, bundle, "text", testValues)
	assert.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "unscannable: postgres/POSTGRES_PORT: value shorter than 8 bytes")
	assert.Contains(t, out, "picker-wheel on tier-2-desktop: 6 secrets looked for in 3 files")
	assert.Contains(t, out, ": clean")

	leaked := base64.StdEncoding.EncodeToString([]byte("x" + canary + "yz"))
	zipFile(t, filepath.Join(bundle, "app.jar"), map[string]string{
		"config/app.json": `{"token": "` + leaked + `"}`,
		"config/.env":     "POSTGRES_HOST=\nOLLAMA_HOST=http://x\n",
	})
	for _, format := range []string{"text", "json", "sarif"} {
		out, errOut, code := runVB(t, dir, bundle, format, testValues)
		assert.Equal(t, ExitCheckFailed, code, format)
		assert.Empty(t, errOut, format)
		for _, v := range testValues {
			assert.NotContains(t, out, v, "%s output holds a value", format)
		}
		assert.NotContains(t, out, canary[:8], "not even a prefix")
		switch format {
		case "text":
			assert.Contains(t, out, "app.jar!/config/app.json@")
			assert.Contains(t, out, "value of postgres/POSTGRES_PASSWORD (base64)")
			assert.Contains(t, out, "app.jar!/config/.env:2: sets OLLAMA_HOST, the name of stripped secret ollama/OLLAMA_HOST")
			assert.Contains(t, out, "2 findings")
		case "json":
			var rep struct {
				Tier     string
				Findings []bundlescan.Finding
			}
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			assert.Equal(t, "tier-2-desktop", rep.Tier)
			require.Len(t, rep.Findings, 2)
			assert.Equal(t, bundlescan.Base64, rep.Findings[1].Encoding)
		case "sarif":
			sariftest.Validate(t, []byte(out))
			assert.Contains(t, out, `"uri": "app.jar"`)
		}
	}
}

func TestVerifyBundleErrors(t *testing.T) {
	dir := storetest.NewExample(t)
	bundle := t.TempDir()

	vals := map[string]string{"postgres/POSTGRES_PASSWORD": canary}
	_, errOut, code := runVB(t, dir, bundle, "text", vals)
	assert.Equal(t, ExitNotFound, code)
	assert.Contains(t, errOut, "postgres/POSTGRES_DB, postgres/POSTGRES_HOST, postgres/POSTGRES_PORT, postgres/POSTGRES_USER")
	assert.Contains(t, errOut, "--allow-missing")

	zipFile(t, filepath.Join(bundle, "evil.zip"), map[string]string{"../../x": canary})
	_, errOut, code = runVB(t, dir, bundle, "text", testValues)
	assert.Equal(t, ExitInvalid, code)
	assert.Contains(t, errOut, "evil.zip!/../../x")
	assert.NotContains(t, errOut, canary)

	_, errOut, code = runVB(t, dir, filepath.Join(bundle, "nope"), "text", testValues)
	assert.Equal(t, ExitNotFound, code)
	assert.Contains(t, errOut, `bundle "`)

	_, _, code = runVB(t, dir, bundle, "yaml", testValues)
	assert.Equal(t, ExitUsage, code)
}
