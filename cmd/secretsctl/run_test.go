package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

const demoPassword = "demo-only-postgres-password"

// secretsctl returns a command running the secretsctl of this test binary
// (testscript.Main put it on PATH) against store dir.
func secretsctl(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("secretsctl")
	require.NoError(t, err)
	cmd := exec.Command(bin, append([]string{"--store", dir}, args...)...)
	cmd.Dir = t.TempDir()
	return cmd
}

func exitCodeOf(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	require.True(t, errors.As(err, &ee), "%v", err)
	return ee.ExitCode()
}

// The value reaches the child's environment, and neither the child's nor
// secretsctl's command line (nor secretsctl's own environment) holds it.
func TestRunKeepsValuesOutOfCommandLines(t *testing.T) {
	dir := storetest.NewExample(t)
	cmd := secretsctl(t, dir, "run", "--scenario", "picker-wheel", "--", "sh", "-c",
		`cat /proc/$$/cmdline > child.cmdline; cat /proc/$PPID/cmdline > parent.cmdline; cat /proc/$PPID/environ > parent.environ; echo "$POSTGRES_PASSWORD"`)
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, demoPassword+"\n", string(out))
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(cmd.Dir, name))
		require.NoError(t, err)
		return strings.ReplaceAll(string(data), "\x00", " ")
	}
	child, parent, parentEnv := read("child.cmdline"), read("parent.cmdline"), read("parent.environ")
	assert.Contains(t, child, "sh -c")
	assert.Contains(t, parent, "secretsctl --store "+dir+" run --scenario picker-wheel -- sh -c", "the parent is secretsctl")
	for name, s := range map[string]string{"child cmdline": child, "secretsctl cmdline": parent, "secretsctl environ": parentEnv} {
		assert.NotContains(t, s, demoPassword, name)
	}
}

func TestRunPassesTheExitCodeThrough(t *testing.T) {
	dir := storetest.NewExample(t)
	for _, code := range []int{0, 1, 42} {
		err := secretsctl(t, dir, "run", "-s", "picker-wheel", "--", "sh", "-c", "exit "+strconv.Itoa(code)).Run()
		assert.Equal(t, code, exitCodeOf(t, err))
	}
}

// startReady starts cmd and waits for the child to print "ready".
func startReady(t *testing.T, cmd *exec.Cmd) *bufio.Reader {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)
	return r
}

func TestRunForwardsSIGTERM(t *testing.T) {
	dir := storetest.NewExample(t)

	// A child that handles SIGTERM: it sees the signal and its exit code is ours.
	cmd := secretsctl(t, dir, "run", "-s", "picker-wheel", "--", "sh", "-c",
		`trap 'echo got-term; exit 3' TERM; echo ready; while :; do sleep 0.05; done`)
	r := startReady(t, cmd)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	line, _ := r.ReadString('\n')
	assert.Equal(t, "got-term\n", line)
	assert.Equal(t, 3, exitCodeOf(t, waitTimeout(t, cmd)))

	// A child killed by SIGTERM: secretsctl exits 128+15.
	cmd = secretsctl(t, dir, "run", "-s", "picker-wheel", "--", "sh", "-c", `echo ready; exec sleep 30`)
	startReady(t, cmd)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 143, exitCodeOf(t, waitTimeout(t, cmd)))
}

func waitTimeout(t *testing.T, cmd *exec.Cmd) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("secretsctl run did not exit after the signal")
		return nil
	}
}
