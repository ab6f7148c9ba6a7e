package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// TestIssueInterrupted: issue sent SIGTERM or SIGINT at a random moment
// removes its private stage (with the values in it) before it exits, and
// leaves in --out only files the ledger records. An issue the signal
// stopped exits 1, as an interrupted edit does; one the signal reached
// before it had anything to clean up may die of it.
func TestIssueInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("interrupts 12 issues")
	}
	bin := secretsctlBinary(t)
	dir := storetest.NewExample(t)
	t.Setenv("SECRETSCTL_FINGERPRINT_KEY", killCanaryKey)
	out, renders := t.TempDir(), t.TempDir()
	start := time.Now()
	b, err := ledgerCmd(bin, dir, issueArgs(out, "calibrate")...).CombinedOutput()
	require.NoError(t, err, "%s", b)
	span := time.Since(start) * 3 / 2
	stopped := 0
	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGTERM, syscall.SIGINT, syscall.SIGTERM, syscall.SIGINT,
		syscall.SIGTERM, syscall.SIGINT, syscall.SIGTERM, syscall.SIGINT, syscall.SIGTERM, syscall.SIGINT} {
		d := fmt.Sprintf("s%02d", i)
		if issueUntilSignalled(t, ledgerCmd(bin, dir, issueArgs(out, d)...), sig, time.Duration(rand.Int64N(int64(span)))) {
			stopped++
		}
		entries, err := os.ReadDir(out)
		require.NoError(t, err)
		for _, e := range entries {
			require.False(t, strings.HasPrefix(e.Name(), stagePrefix), "%v left the stage %s", sig, e.Name())
		}
		requireRecorded(t, bin, dir, filepath.Join(out, d), filepath.Join(renders, d))
	}
	t.Logf("signals spread over %v: %d of 12 issues stopped by their signal", span, stopped)
}

// issueUntilSignalled runs cmd and sends it sig after delay; it reports
// whether the signal stopped it (exit 1 with "interrupted"). An issue that
// finished first must have succeeded; one that failed must have exited 1
// saying it was interrupted, or died of the signal before it caught it.
func issueUntilSignalled(t *testing.T, cmd *exec.Cmd, sig syscall.Signal, delay time.Duration) bool {
	t.Helper()
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
		require.NoError(t, err, "issue failed on its own: %s", b.String())
		return false
	case <-time.After(delay):
		_ = cmd.Process.Signal(sig)
	}
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("issue did not exit within 30 s of %v", sig)
	}
	var exit *exec.ExitError
	if err == nil || !errors.As(err, &exit) {
		require.NoError(t, err)
		return false
	}
	if ws := exit.Sys().(syscall.WaitStatus); ws.Signaled() {
		assert.Equal(t, sig, ws.Signal(), "%s", b.String())
		return false
	}
	assert.Equal(t, 1, exit.ExitCode(), "%s", b.String())
	assert.Contains(t, b.String(), "interrupted", "an issue that fails after %v says it was interrupted", sig)
	return true
}
