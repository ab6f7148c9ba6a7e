package gitrepo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMain isolates the tests from the developer's git configuration: HOME,
// XDG_CONFIG_HOME and GIT_CONFIG_GLOBAL point into a temporary directory,
// the system config is off, and inherited GIT_* variables are dropped.
func TestMain(m *testing.M) {
	os.Exit(runIsolated(m))
}

func runIsolated(m *testing.M) int {
	home, err := os.MkdirTemp("", "gitrepo-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(home)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") {
			os.Unsetenv(k)
		}
	}
	global := filepath.Join(home, ".gitconfig")
	cfg := "[user]\n\tname = Global Tester\n\temail = global@example.com\n[init]\n\tdefaultBranch = main\n"
	if err := os.WriteFile(global, []byte(cfg), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.Setenv("GIT_CONFIG_GLOBAL", global)
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	return m.Run()
}

// runGit runs the git CLI in dir and returns its trimmed standard output.
func runGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gitErr(dir, args...)
	require.NoError(t, err, "git %s", strings.Join(args, " "))
	return out
}

// gitErr runs the git CLI in dir, returning stdout, or an error with stderr.
func gitErr(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, stderr.String())
	}
	return strings.TrimRight(string(out), "\n"), nil
}

// testRepo initialises an empty repository with the git CLI and opens it.
func testRepo(t testing.TB) (*Repo, string) {
	t.Helper()
	dir := t.TempDir()
	runGit(t, dir, "init", "-q", "-b", "main")
	r, err := Open(dir)
	require.NoError(t, err)
	return r, r.Root()
}

// apply applies a change that must make a commit.
func apply(t testing.TB, r *Repo, files map[string]string, del ...string) Commit {
	t.Helper()
	ch := Change{Files: map[string][]byte{}, Delete: del, Message: "test change\n"}
	for p, s := range files {
		ch.Files[p] = []byte(s)
	}
	c, ok, err := r.Apply(context.Background(), ch)
	require.NoError(t, err)
	require.True(t, ok, "expected a commit")
	return c
}

// requireClean checks the repository with git itself: nothing to report in
// git status, and git fsck --strict content.
func requireClean(t testing.TB, dir string) {
	t.Helper()
	require.Empty(t, runGit(t, dir, "status", "--porcelain", "--untracked-files=all"), "git status")
	cmd := exec.Command("git", "fsck", "--strict", "--no-dangling", "--no-progress")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git fsck: %s", out)
	require.Empty(t, strings.TrimSpace(string(out)), "git fsck")
}

// readWT reads a work tree file.
func readWT(t testing.TB, dir, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
	require.NoError(t, err)
	return string(b)
}

// writeWT writes a work tree file, creating its directories.
func writeWT(t testing.TB, dir, p, content string) {
	t.Helper()
	name := filepath.Join(dir, filepath.FromSlash(p))
	require.NoError(t, os.MkdirAll(filepath.Dir(name), 0o755))
	require.NoError(t, os.WriteFile(name, []byte(content), 0o644))
}
