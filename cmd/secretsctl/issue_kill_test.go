package main

import (
	"bytes"
	"fmt"
	"io/fs"
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

// stagePrefix names the private directories issue renders into before its
// event is committed (internal/cli/stage.go).
const stagePrefix = ".secretsctl-stage-"

// killCanaryKey is a fingerprint key planted through the environment: a
// secret that must appear in no output.
const killCanaryKey = "c0ffee00c0ffee00c0ffee00c0ffee00deadbeefdeadbeefdeadbeefdeadbeef"

// TestIssueKilled: issue killed with SIGKILL at a random moment, 100 times,
// never leaves in --out a file whose values the ledger does not hold (each
// file there is byte for byte what render rebuilds from the ledger), nor
// any other file outside its private stage directory; the next issue
// removes the stages the dead ones left, and no value was ever printed.
func TestIssueKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 100 issues")
	}
	bin := secretsctlBinary(t)
	dir := storetest.NewExample(t)
	t.Setenv("SECRETSCTL_FINGERPRINT_KEY", killCanaryKey)
	out, renders := t.TempDir(), t.TempDir()
	var output bytes.Buffer
	// Calibrate: how long an issue takes here (the slowest of three, the
	// machine being shared), so kills spread over it.
	var span time.Duration
	for i := range 3 {
		start := time.Now()
		b, err := ledgerCmd(bin, dir, issueArgs(out, fmt.Sprintf("calibrate%d", i))...).CombinedOutput()
		require.NoError(t, err, "%s", b)
		output.Write(b)
		span = max(span, time.Since(start)*3/2)
	}
	// The values of killed issues' stages, never recorded, must not have
	// been printed either.
	canaries := []string{killCanaryKey}
	killed, published, staged := 0, 0, map[string]bool{}
	for i := range 100 {
		d := fmt.Sprintf("k%03d", i)
		if !issueUntilKilled(t, ledgerCmd(bin, dir, issueArgs(out, d)...), time.Duration(rand.Int64N(int64(span))), &output) {
			killed++
		}
		if requireRecorded(t, bin, dir, filepath.Join(out, d), filepath.Join(renders, d)) > 0 {
			published++
		}
		for _, f := range requireOnlyStagesAndBundles(t, out) {
			rel, err := filepath.Rel(out, f)
			require.NoError(t, err)
			staged[strings.Split(rel, string(filepath.Separator))[0]] = true
			canaries = append(canaries, storetest.EnvValues(t, f)...)
		}
	}
	t.Logf("kills spread over %v: %d of 100 issues killed before they exited; %d wrote their bundle; %d left a stage with values in it",
		span, killed, published, len(staged))
	b, err := ledgerCmd(bin, dir, issueArgs(out, "after")...).CombinedOutput()
	require.NoError(t, err, "%s", b)
	output.Write(b)
	assert.Empty(t, requireOnlyStagesAndBundles(t, out), "the next issue removes the stages dead issues left")
	require.NoError(t, filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			canaries = append(canaries, storetest.EnvValues(t, p)...)
		}
		return err
	}))
	require.Greater(t, len(canaries), 4, "the bundles hold values to look for")
	for _, c := range canaries {
		require.NotContains(t, output.String(), c, "a value or the fingerprint key was printed")
	}
}

// issueUntilKilled runs cmd and kills it with SIGKILL after delay; it
// reports whether the command finished (successfully) first.
func issueUntilKilled(t *testing.T, cmd *exec.Cmd, delay time.Duration, output *bytes.Buffer) bool {
	t.Helper()
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() { output.Write(b.Bytes()) }()
	select {
	case err := <-done:
		require.NoError(t, err, "issue failed on its own: %s", b.String())
		return true
	case <-time.After(delay):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		return <-done == nil
	}
}

// requireRecorded checks that every file issue left in out is what render
// rebuilds from the ledger into the empty directory rendered; it returns
// how many files out holds. A deployment the ledger does not know renders
// nothing, so then out must hold no file at all.
func requireRecorded(t *testing.T, bin, dir, out, rendered string) int {
	t.Helper()
	var files []string
	_ = filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		return 0
	}
	d := filepath.Base(out)
	b, err := ledgerCmd(bin, dir, "render", "-d", d, "--out", rendered).CombinedOutput()
	require.NoError(t, err, "%s holds %d file(s) but the ledger cannot render %s: %s", out, len(files), d, b)
	for _, f := range files {
		rel, err := filepath.Rel(out, f)
		require.NoError(t, err)
		got, err := os.ReadFile(f)
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join(rendered, rel))
		require.NoError(t, err, "%s is in --out but is no file of the recorded bundle", rel)
		require.True(t, bytes.Equal(want, got), "%s in --out differs from the bundle the ledger records", rel)
	}
	return len(files)
}

// requireOnlyStagesAndBundles checks that out holds only deployment
// directories (checked by requireRecorded) and private stages, each mode
// 0700; it returns the files in the stages (but their lock files).
func requireOnlyStagesAndBundles(t *testing.T, out string) []string {
	t.Helper()
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	var files []string
	for _, e := range entries {
		require.True(t, e.IsDir(), "%s is a file outside any bundle or stage", e.Name())
		if !strings.HasPrefix(e.Name(), stagePrefix) {
			continue
		}
		fi, err := e.Info()
		require.NoError(t, err)
		require.Equal(t, fs.FileMode(0o700), fi.Mode().Perm(), "stage %s", e.Name())
		_ = filepath.WalkDir(filepath.Join(out, e.Name()), func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && e.Name() != "lock" {
				files = append(files, p)
			}
			return nil
		})
	}
	return files
}
