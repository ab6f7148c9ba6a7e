package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// The branches of [prShapedOrigin]: main, and two pull requests forked from
// it before main moved on.
const (
	// branchClean changes the desktop strategy of cache/CACHE_PASSWORD from
	// strip to prompt and records the plans: every check passes.
	branchClean = "change-cache-strategy"
	// branchGap adds cache/CACHE_URL without a strategy and records nothing:
	// lint, coverage and plan --check find problems; gaps finds one task.
	branchGap = "add-cache-url"
)

// prShapedOrigin builds, with the demo key and the real git CLI, a
// repository that holds a store in secrets/ (as docs/ci.md's --store secrets
// expects): main, the two branches above forked from it, and then one more
// commit on main that changes queue/QUEUE_TOKEN (which no branch has). It
// returns the repository's directory; SOPS_AGE_KEY_FILE is unset again.
func prShapedOrigin(t *testing.T) string {
	t.Helper()
	storetest.Isolate(t)
	t.Setenv("SOPS_AGE_KEY_FILE", storetest.DemoKeyFile())
	defer os.Unsetenv("SOPS_AGE_KEY_FILE")
	dir := filepath.Join(t.TempDir(), "origin")
	storetest.Git(t, t.TempDir(), "init", "-q", "-b", "main", dir)
	runSecretsctl(t, dir, "init", "secrets")
	write := func(msg string, docs map[string]string) {
		// All files first, then one seal: a scenario is checked against the
		// resources of the work tree.
		args := []string{"seal", "--store", "secrets"}
		for rel, doc := range docs {
			require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, "secrets", rel)), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "secrets", rel), []byte(doc), 0o644))
			args = append(args, filepath.Join("secrets", rel))
		}
		runSecretsctl(t, dir, args...)
		storetest.Git(t, dir, "add", "-A")
		storetest.Git(t, dir, "commit", "-q", "-m", msg)
	}
	write("a cache and a queue for the app", map[string]string{
		"resources/cache.yaml": resourceDoc("cache", "CACHE_PASSWORD", "strip"),
		"resources/queue.yaml": resourceDoc("queue", "QUEUE_TOKEN", "strip"),
		"scenarios/app.yaml":   "version: 1\nname: app\ntiers: [desktop]\nresources:\n  - name: cache\n  - name: queue\n",
	})
	runSecretsctl(t, dir, "plan", "--store", "secrets", "--all", "--record")

	storetest.Git(t, dir, "checkout", "-q", "-b", branchClean)
	write("cache: ask for the password on desktop", map[string]string{
		"resources/cache.yaml": resourceDoc("cache", "CACHE_PASSWORD", "prompt"),
	})
	runSecretsctl(t, dir, "plan", "--store", "secrets", "--all", "--record")

	storetest.Git(t, dir, "checkout", "-q", "-b", branchGap, "main")
	write("cache: add its URL", map[string]string{
		"resources/cache.yaml": resourceDoc("cache", "CACHE_PASSWORD", "strip") + "  - key: CACHE_URL\n    classification: service\n",
	})

	storetest.Git(t, dir, "checkout", "-q", "main")
	write("queue: ask for the token on desktop", map[string]string{
		"resources/queue.yaml": resourceDoc("queue", "QUEUE_TOKEN", "prompt"),
	})
	runSecretsctl(t, dir, "plan", "--store", "secrets", "--all", "--record")
	return dir
}

// resourceDoc is a resource with one service secret and its desktop
// strategy, strip or prompt.
func resourceDoc(name, key, strategy string) string {
	doc := "version: 1\nname: " + name + "\nsecrets:\n  - key: " + key + "\n    classification: service\n" +
		"    strategies:\n      desktop:\n        strategy: " + strategy + "\n        reason: test fixture\n"
	if strategy == "prompt" {
		doc += "        prompt: {label: " + key + "}\n"
	}
	return doc
}

// prClone clones origin with the git CLI, as actions/checkout with
// fetch-depth 0 does, and checks out branch: origin/main exists.
func prClone(t *testing.T, origin, branch string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "checkout")
	storetest.Git(t, t.TempDir(), "clone", "-q", origin, dir)
	storetest.Git(t, dir, "checkout", "-q", branch)
	return dir
}

// runSecretsctl runs the secretsctl on PATH (this test binary, see TestMain)
// in dir; a failure fails the test.
func runSecretsctl(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("secretsctl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "secretsctl %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}
