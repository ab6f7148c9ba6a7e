package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVersionFromCheckout builds secretsctl with a plain go build (no
// -ldflags) in a clone of this checkout and checks that --version reports
// the commit, then that a build with a change in the work tree says
// "modified". A clone, because the go command does not stamp builds in a
// linked git worktree (.git is a file there).
func TestVersionFromCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("clones the repository and builds the binary twice")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	if exec.Command("git", "-C", root, "rev-parse", "HEAD").Run() != nil {
		t.Skip("not a git checkout: --version has no revision to report")
	}
	clone := filepath.Join(t.TempDir(), "src")
	git(t, "", "clone", "-q", "--depth", "1", "file://"+root, clone)
	head := strings.TrimSpace(git(t, clone, "rev-parse", "HEAD"))

	line := buildAndVersion(t, clone)
	assert.True(t, strings.HasPrefix(line, "secretsctl version "), line)
	assert.Contains(t, line, "(commit "+head)
	assert.NotContains(t, line, "modified")

	require.NoError(t, os.WriteFile(filepath.Join(clone, "uncommitted.txt"), []byte("x\n"), 0o644))
	line = buildAndVersion(t, clone)
	assert.Contains(t, line, "(commit "+head+", modified")
}

// buildAndVersion runs go build in dir as a user would and returns the
// binary's --version line.
func buildAndVersion(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "secretsctl")
	build := exec.Command("go", "build", "-o", bin, "./cmd/secretsctl")
	build.Dir = dir
	// GOFLAGS may carry -buildvcs=false (some CI images set it); a user's
	// build has the default.
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=auto")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	got, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	return string(got)
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return string(out)
}
