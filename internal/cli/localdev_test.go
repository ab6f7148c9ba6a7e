package cli

import (
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaskShowsLittle(t *testing.T) {
	assert.Equal(t, "******** (5 chars)", mask("short"))
	assert.Equal(t, "de****** (27 chars)", mask("demo-only-postgres-password"))
	assert.Equal(t, "pä****** (16 chars)", mask("päßwörd-päßwörd!"))
}

func TestShellQuoteRoundTripsThroughSh(t *testing.T) {
	for _, v := range []string{"plain", "it's", `a"b\c$d` + "`x`", "multi\nline", ""} {
		out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(v)).Output()
		require.NoError(t, err)
		assert.Equal(t, v, string(out))
	}
}

func TestMergeEnvReplacesByName(t *testing.T) {
	got := mergeEnv([]string{"PATH=/bin", "A=old", "B=keep"}, []string{"A=new", "C=add"})
	assert.Equal(t, []string{"PATH=/bin", "B=keep", "A=new", "C=add"}, got)
}
