package cli

import (
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

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

func TestCLIGCReturnsToDefault(t *testing.T) {
	if os.Getenv("GOGC") != "" {
		t.Skip("GOGC is set: the CLI leaves the GC alone")
	}
	t.Cleanup(func() { debug.SetGCPercent(100) })
	tuneGCForCLI()
	assert.Equal(t, cliGCPercent, debug.SetGCPercent(cliGCPercent), "the CLI raises GOGC")
	// A live heap above the cap brings the default back at the next cycles.
	ballast := make([]byte, cliGCHeapCap+1<<20)
	for i := 0; i < 5 && cliGCActive.Load(); i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // finalizers run on their own goroutine
	}
	runtime.KeepAlive(ballast)
	assert.False(t, cliGCActive.Load())
	assert.Equal(t, 100, debug.SetGCPercent(100))
	tuneGCForCLI()
	defaultGC()
	assert.Equal(t, 100, debug.SetGCPercent(100), "serve returns to the default")
}
