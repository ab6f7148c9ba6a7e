package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// TestPreCommitHookBlocksHardRule installs the hooks of .pre-commit-hooks.yaml
// with the real pre-commit framework in a throwaway store repository: a clean
// commit goes through, one that plans an infrastructure secret for desktop is
// refused.
func TestPreCommitHookBlocksHardRule(t *testing.T) {
	if _, err := exec.LookPath("pre-commit"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pre-commit is required in CI: scripts/test-deps.sh installs it")
		}
		t.Skip("pre-commit not installed; run `make test` (scripts/test-deps.sh installs it)")
	}
	root := storetest.Root()
	rev := strings.TrimSpace(run(t, root, nil, "git", "rev-parse", "HEAD"))
	goenv := strings.Fields(run(t, root, nil, "go", "env", "GOMODCACHE", "GOCACHE"))
	require.Len(t, goenv, 2)

	storetest.Isolate(t)
	dir := filepath.Join(t.TempDir(), "secrets")
	_, err := store.Init(context.Background(), dir, store.Author{}, store.Options{})
	require.NoError(t, err)
	env := []string{"GOMODCACHE=" + goenv[0], "GOCACHE=" + goenv[1], "PRE_COMMIT_HOME=" + t.TempDir(), "GOFLAGS=-mod=mod"}
	config := "repos:\n  - repo: " + root + "\n    rev: " + rev + "\n    hooks:\n      - id: secretsctl-lint\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".pre-commit-config.yaml"), []byte(config), 0o644))
	run(t, dir, env, "pre-commit", "install")

	write := func(rel, doc string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, rel), []byte(doc), 0o644))
		s, err := store.Open(dir, store.Options{})
		require.NoError(t, err)
		require.NoError(t, s.SealFile(rel))
		run(t, dir, nil, "git", "add", "-A")
	}
	write("resources/cache.yaml", cacheDoc("strip"))
	write("scenarios/app.yaml", "version: 1\nname: app\ntiers: [desktop]\nresources:\n  - name: cache\n")
	run(t, dir, env, "git", "commit", "-q", "-m", "a clean store")

	write("resources/cache.yaml", cacheDoc("generate\n        generator: {type: hex, bytes: 16}"))
	cmd := exec.Command("git", "commit", "-q", "-m", "plan the cache password into desktop bundles")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the hook must refuse the commit:\n%s", out)
	assert.Contains(t, string(out), "infrastructure-on-end-user-tier: cache/CACHE_PASSWORD")
	assert.Equal(t, "a clean store", strings.TrimSpace(run(t, dir, nil, "git", "log", "-1", "--format=%s")))
}

func cacheDoc(strategy string) string {
	return "version: 1\nname: cache\nsecrets:\n  - key: CACHE_PASSWORD\n    classification: infrastructure\n" +
		"    strategies:\n      desktop:\n        strategy: " + strategy + "\n        reason: test\n"
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}
