package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/gaps/trackertest"
)

// TestCIDocRunsKeyless runs the commands of docs/ci.md, in order, on clones
// of a pull request with no private key anywhere in the environment, and
// holds them to what the document says: exit 0 when the pull request is
// clean, 10 when a check finds problems, integrity reported unverified, and
// a plan diff that shows the branch's change only (three-dot). The GitHub
// Actions job runs as Actions would: its env set, the first failing step
// ends it. A command the document adds without an expectation here fails
// the test, so the document and the tool cannot drift apart.
func TestCIDocRunsKeyless(t *testing.T) {
	doc := readCIDoc(t)
	// The real app-issue-tracker, one per pull request, started before
	// the environment is isolated (its build uses Go's caches).
	trackers := map[string]*tracker{branchClean: newTracker(t), branchGap: newTracker(t)}
	origin := prShapedOrigin(t)
	for _, tc := range []struct {
		branch string
		want   map[string]int // exit code per command kind
		posts  int            // issues gaps --post files
	}{
		{branchClean, map[string]int{"lint": 0, "coverage": 0, "plan --check": 0, "plan diff": 0, "gaps": 0}, 0},
		{branchGap, map[string]int{"lint": 10, "coverage": 10, "plan --check": 10, "plan diff": 0, "gaps": 0}, 1},
	} {
		t.Run(tc.branch, func(t *testing.T) {
			dir := prClone(t, origin, tc.branch)
			tracker := trackers[tc.branch]
			env := keylessEnv("TRACKER_URL="+tracker.url, "TRACKER_TOKEN_FILE="+tracker.tokenFile)
			got := runShell(t, dir, env, "secretsctl plan --store secrets --all --check")
			require.Equal(t, 6, got.code, "the environment holds no key, so an unasked read fails:\n%s", got.output)

			for _, c := range doc.Shell {
				got := runShell(t, dir, env, c)
				assert.Equal(t, tc.want[commandKind(t, c)], got.code, "%s\n%s", c, got.output)
				assert.Contains(t, got.output, "integrity: unverified", c)
			}
			assert.Equal(t, tc.posts, tracker.count(t), "issues filed by gaps --post")
			if tc.branch == branchClean {
				checkPlanDiff(t, filepath.Join(dir, "plan-diff.md"))
			}
			runJob(t, doc, dir, tc.want)
		})
	}
}

// runJob runs the job's steps as GitHub Actions does: with the job's env,
// stopping at the first step that fails.
func runJob(t *testing.T, doc ciDoc, dir string, want map[string]int) {
	t.Helper()
	var env []string
	for k, v := range doc.JobEnv {
		env = append(env, k+"="+v)
	}
	env = keylessEnv(env...)
	for _, step := range doc.Steps {
		got := runShell(t, dir, env, step)
		require.Equal(t, want[commandKind(t, step)], got.code, "job step %q\n%s", step, got.output)
		assert.Contains(t, got.output, "integrity: unverified", step)
		if got.code != 0 {
			return // the job fails here, as documented
		}
	}
}

// checkPlanDiff checks the comment of the clean pull request: its own
// change, not main's newer one, compared from the merge base.
func checkPlanDiff(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	md := string(data)
	assert.Contains(t, md, "since its merge base with `origin/main`")
	assert.Contains(t, md, "| `cache/CACHE_PASSWORD` | changed | strategy | `strip` | `prompt` |")
	assert.NotContains(t, md, "QUEUE_TOKEN", "main's change after the branch point is not the branch's")
}

// commandKind names what a documented command is, for its expected exit
// code; an unknown command fails the test.
func commandKind(t *testing.T, command string) string {
	t.Helper()
	f := strings.Fields(command)
	require.GreaterOrEqual(t, len(f), 2, command)
	require.Equal(t, "secretsctl", f[0], "docs/ci.md runs %q", command)
	switch {
	case f[1] == "plan" && f[2] == "diff":
		return "plan diff"
	case f[1] == "plan" && slices.Contains(f, "--check"):
		return "plan --check"
	case slices.Contains([]string{"lint", "coverage", "gaps"}, f[1]):
		return f[1]
	}
	t.Fatalf("docs/ci.md runs %q, which this test has no expectation for: add one", command)
	return ""
}

type shellResult struct {
	code   int
	output string // stdout and stderr, then the file stdout went to
}

var redirect = regexp.MustCompile(`>\s*(\S+)\s*$`)

// runShell runs a command with sh in dir.
func runShell(t *testing.T, dir string, env []string, command string) shellResult {
	t.Helper()
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("%s: %v", command, err)
	}
	res := shellResult{code: cmd.ProcessState.ExitCode(), output: string(out)}
	if m := redirect.FindStringSubmatch(command); m != nil {
		data, err := os.ReadFile(filepath.Join(dir, m[1]))
		require.NoError(t, err, command)
		res.output += string(data)
	}
	return res
}

// keylessEnv is the test's environment without any age key or secretsctl
// setting, plus extra.
func keylessEnv(extra ...string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return strings.HasPrefix(name, "SOPS_AGE_") || strings.HasPrefix(name, "SECRETSCTL_")
	})
	return append(env, extra...)
}

// tracker is an issue tracker on 127.0.0.1 that counts the tasks posted to
// it with the right token.
// tracker is a real app-issue-tracker and the token file gaps sends it.
type tracker struct {
	srv            *trackertest.Server
	url, tokenFile string
}

func newTracker(t *testing.T) *tracker {
	t.Helper()
	srv := trackertest.Start(t)
	tr := &tracker{srv: srv, url: srv.URL, tokenFile: filepath.Join(t.TempDir(), "token")}
	require.NoError(t, os.WriteFile(tr.tokenFile, []byte("tracker-token\n"), 0o600))
	return tr
}

// count is how many open issues the tracker holds.
func (tr *tracker) count(t *testing.T) int {
	t.Helper()
	var data struct {
		Issues []json.RawMessage `json:"issues"`
	}
	tr.srv.Get(t, "/issues?limit=200&status=open", &data)
	return len(data.Issues)
}
