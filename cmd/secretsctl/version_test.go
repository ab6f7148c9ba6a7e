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
// -ldflags) in this checkout and checks that --version reports the commit,
// and "modified" exactly when git status shows changes. The go command does
// not stamp builds in a linked git worktree (.git is a file there): there
// the test builds a clone, clean and then with a change.
func TestVersionFromCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	if exec.Command("git", "-C", root, "rev-parse", "HEAD").Run() != nil {
		t.Skip("not a git checkout: --version has no revision to report")
	}
	if fi, err := os.Stat(filepath.Join(root, ".git")); err == nil && !fi.IsDir() {
		root = cloneOf(t, root)
	}
	head := strings.TrimSpace(gitOut(t, root, "rev-parse", "HEAD"))
	dirty := gitOut(t, root, "status", "--porcelain") != ""

	line := buildAndVersion(t, root)
	assert.True(t, strings.HasPrefix(line, "secretsctl version "), line)
	assert.Contains(t, line, "(commit "+head)
	assert.Equal(t, dirty, strings.Contains(line, ", modified"), "git status shows changes: %v; --version: %s", dirty, line)
}

// cloneOf clones the commit checked out at root and adds a file to the
// clone's work tree, so that its build is a modified one.
func cloneOf(t *testing.T, root string) string {
	clone := filepath.Join(t.TempDir(), "src")
	gitOut(t, "", "clone", "-q", "--depth", "1", "file://"+root, clone)
	require.NoError(t, os.WriteFile(filepath.Join(clone, "uncommitted.txt"), []byte("x\n"), 0o644))
	return clone
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

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return string(out)
}
