package cli

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// TestProgressOnTerminalOnly runs plan --all with stderr on a pseudo
// terminal and on a pipe: progress shows on the terminal only, and never
// with --quiet or a JSON output.
func TestProgressOnTerminalOnly(t *testing.T) {
	storetest.Isolate(t)
	dir := storetest.NewExample(t)
	t.Chdir(dir)
	t.Setenv("SOPS_AGE_KEY_FILE", storetest.DemoKeyFile())
	t.Setenv("SECRETSCTL_PROGRESS_DELAY", "0s")
	table := []string{"secretsctl", "plan", "--all", "--allow-blocking", "--format", "table"}

	stderr, code := onTerminal(t, table)
	assert.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stderr, "planning")
	assert.Regexp(t, `\d+/\d+`, stderr, "the count")

	stderr, code = onTerminal(t, append(table, "--quiet"))
	assert.Equal(t, ExitOK, code, stderr)
	assert.NotContains(t, stderr, "planning")

	stderr, code = onTerminal(t, []string{"secretsctl", "plan", "--all", "--allow-blocking", "--format", "json"})
	assert.Equal(t, ExitOK, code, stderr)
	assert.NotContains(t, stderr, "planning")

	r, w, err := os.Pipe()
	require.NoError(t, err)
	code = Main(table, bytes.NewReader(nil), io.Discard, w)
	require.NoError(t, w.Close())
	piped, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, ExitOK, code, string(piped))
	assert.NotContains(t, string(piped), "planning")
}

// onTerminal runs Main with stderr on a pseudo terminal and returns what
// the terminal received.
func onTerminal(t *testing.T, args []string) (string, int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	require.NoError(t, err)
	defer ptmx.Close()
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once tty is closed
		got <- b
	}()
	code := Main(args, bytes.NewReader(nil), io.Discard, tty)
	require.NoError(t, tty.Close())
	return string(<-got), code
}

// TestSpinnerStopsBeforeClearing checks that a spinner draws while its
// work runs and nothing after done returns.
func TestSpinnerStopsBeforeClearing(t *testing.T) {
	var out storetest.SyncBuffer
	e := &env{stderr: &out, stderrTTY: true, getenv: func(string) string { return "0s" }}
	p := spin(e, "linting")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "linting") }, 5*time.Second, 10*time.Millisecond)
	p.done()
	n := len(out.String())
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, n, len(out.String()), "drawn after done")
}

// TestImportShowsProgressOnTerminal: import vrooli (which reads a checkout
// and encrypts every document it writes) shows what it is doing on a
// terminal and nothing with --quiet.
func TestImportShowsProgressOnTerminal(t *testing.T) {
	storetest.Isolate(t)
	dir := storetest.NewExample(t)
	t.Setenv("SOPS_AGE_KEY_FILE", storetest.DemoKeyFile())
	t.Setenv("SECRETSCTL_PROGRESS_DELAY", "0s")
	vrooli, err := filepath.Abs(filepath.Join("testdata", "vrooli"))
	require.NoError(t, err)

	stderr, code := onTerminal(t, []string{"secretsctl", "--store", dir, "--quiet", "import", "vrooli", vrooli})
	assert.Equal(t, ExitOK, code, stderr)
	assert.NotContains(t, stderr, "reading the Vrooli checkout")
	assert.NotContains(t, stderr, "encrypting and committing")

	require.NoError(t, exec.Command("git", "-C", dir, "reset", "-q", "--hard", "HEAD~1").Run())
	stderr, code = onTerminal(t, []string{"secretsctl", "--store", dir, "import", "vrooli", vrooli})
	assert.Equal(t, ExitOK, code, stderr)
	assert.Contains(t, stderr, "reading the Vrooli checkout")
	assert.Contains(t, stderr, "encrypting and committing")
}
