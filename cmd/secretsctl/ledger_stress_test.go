package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// These tests run the built binary as separate processes, the way several
// writers on one machine (or several machines) use one store.

var binary struct {
	once sync.Once
	path string
	err  error
}

// secretsctlBinary builds the binary once per test process.
// goCacheEnv is the environment the go command had when the test binary
// started (before any test isolated HOME): where its caches are.
var goCacheEnv = func() []string {
	var env []string
	for _, k := range []string{"HOME", "XDG_CACHE_HOME", "GOPATH", "GOCACHE", "GOMODCACHE"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}()

func secretsctlBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "secretsctl-bin")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "secretsctl")
		build := exec.Command("go", "build", "-o", binary.path, ".")
		// Tests isolate HOME before they ask for the binary; the go command
		// must keep the caller's build and module caches, or it compiles
		// every dependency again and downloads every module.
		build.Env = append(os.Environ(), goCacheEnv...)
		out, err := build.CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, binary.err)
	return binary.path
}

// ledgerCmd runs the binary on a store with the test's environment.
func ledgerCmd(bin, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"--store", dir}, args...)...)
	cmd.Dir = dir
	return cmd
}

// issueArgs issues deployment d of picker-wheel on saas into a fresh dir.
func issueArgs(out, d string, extra ...string) []string {
	return append([]string{"issue", "-s", "picker-wheel", "-t", "saas", "-d", d, "--out", filepath.Join(out, d)}, extra...)
}

// fsck runs git fsck --full and fails the test on any complaint.
func fsck(t *testing.T, dir string) {
	t.Helper()
	cmd := exec.Command("git", "fsck", "--full", "--no-dangling")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git fsck: %s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "git fsck reports problems")
}

// ledgerBranch is the branch the ledger lives on.
const ledgerBranch = "secretsctl/ledger"

// protectedRemote makes a bare remote of dir whose pre-receive hook refuses
// every push to main, as a protected branch on a forge would.
func protectedRemote(t *testing.T, dir string) string {
	t.Helper()
	bare := filepath.Join(t.TempDir(), "remote.git")
	storetest.Git(t, dir, "clone", "-q", "--bare", dir, bare)
	hook := "#!/bin/sh\nwhile read old new ref; do\n  [ \"$ref\" = refs/heads/main ] && { echo main is protected >&2; exit 1; }\ndone\nexit 0\n"
	require.NoError(t, os.WriteFile(filepath.Join(bare, "hooks", "pre-receive"), []byte(hook), 0o755))
	return bare
}

// deploymentsOnLedger lists the deployment folders of a ledger branch, and
// counts the ledger commits that name each deployment.
func deploymentsOnLedger(t *testing.T, dir string) (folders []string, commits map[string]int) {
	t.Helper()
	for _, p := range strings.Fields(storetest.Git(t, dir, "ls-tree", "-r", "--name-only", ledgerBranch, "deployments/picker-wheel")) {
		folders = append(folders, strings.Split(p, "/")[2])
	}
	commits = map[string]int{}
	log := storetest.Git(t, dir, "log", "--format=%(trailers:key=Secretsctl-Deployment,valueonly)", ledgerBranch)
	for _, d := range strings.Fields(log) {
		commits[d]++
	}
	return folders, commits
}

// TestLedgerConcurrentWriters: 8 processes issue 10 deployments each at
// once into one store; every event lands on the ledger branch, once, the
// checkout is untouched and the repository is sound.
func TestLedgerConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 80 processes")
	}
	dir := storetest.NewExample(t)
	head := storetest.Git(t, dir, "rev-parse", "HEAD")
	out := t.TempDir()
	const writers, each = 8, 10
	runWriters(t, writers, each, func(w, i int) (string, []string) {
		d := fmt.Sprintf("w%d-d%02d", w, i)
		return dir, issueArgs(out, d)
	})
	folders, commits := deploymentsOnLedger(t, dir)
	assert.Len(t, folders, writers*each, "one event file per deployment")
	assert.Len(t, commits, writers*each, "one commit per deployment")
	for d, n := range commits {
		assert.Equal(t, 1, n, "%s has %d commits", d, n)
	}
	assert.Equal(t, head, storetest.Git(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, "", storetest.Git(t, dir, "status", "--porcelain"))
	fsck(t, dir)
}

// runWriters runs writers goroutines that each run each commands one after
// the other; cmd names the directory and arguments of command i of writer w.
func runWriters(t *testing.T, writers, each int, cmd func(w, i int) (string, []string)) {
	t.Helper()
	bin := secretsctlBinary(t)
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				dir, args := cmd(w, i)
				if b, err := ledgerCmd(bin, dir, args...).CombinedOutput(); err != nil {
					errs <- fmt.Errorf("writer %d, command %d: %v: %s", w, i, err, b)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLedgerConcurrentPush: 8 clones issue and push 25 deployments each at
// once to one remote whose main is protected; rejected pushes fetch the
// ledger branch, replay the event and retry, so all 200 events land, once
// each, main is never pushed and git fsck --strict finds nothing.
func TestLedgerConcurrentPush(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 200 processes")
	}
	bin := secretsctlBinary(t)
	origin := storetest.NewExample(t)
	// The first issue creates the store's fingerprint key; a store is
	// shared once it has one (two clones creating it at once would both
	// write deployments/fingerprint-key.yaml, which no replay can merge).
	require.NoError(t, ledgerCmd(bin, origin, issueArgs(t.TempDir(), "first")...).Run())
	bare := protectedRemote(t, origin)
	main := storetest.Git(t, bare, "rev-parse", "main")
	const writers, each = 8, 25
	clones := make([]string, writers)
	for i := range clones {
		clones[i] = filepath.Join(t.TempDir(), "clone")
		storetest.Git(t, filepath.Dir(clones[i]), "clone", "-q", bare, clones[i])
	}
	// git config secretsctl.push does what --push does.
	storetest.Git(t, clones[0], "config", "secretsctl.push", "true")
	out := t.TempDir()
	runWriters(t, writers, each, func(w, i int) (string, []string) {
		d := fmt.Sprintf("c%d-d%02d", w, i)
		if w == 0 {
			return clones[w], issueArgs(out, d)
		}
		return clones[w], issueArgs(out, d, "--push")
	})
	folders, commits := deploymentsOnLedger(t, bare)
	assert.Len(t, folders, writers*each+1, "one event file per deployment")
	for w := range writers {
		for i := range each {
			d := fmt.Sprintf("c%d-d%02d", w, i)
			assert.Equal(t, 1, commits[d], "%s: %d commits on the remote", d, commits[d])
		}
	}
	assert.Equal(t, main, storetest.Git(t, bare, "rev-parse", "main"), "main on the remote is unchanged")
	out2, err := exec.Command("git", "-C", bare, "fsck", "--strict", "--no-dangling", "--no-progress").CombinedOutput()
	require.NoError(t, err, "git fsck --strict: %s", out2)
	assert.Empty(t, strings.TrimSpace(string(out2)))
	for _, dir := range clones {
		assert.Equal(t, "", storetest.Git(t, dir, "status", "--porcelain"), "the checkout is untouched")
	}
}

// TestLedgerKilledWriter: a writer killed with SIGKILL at a random moment,
// 60 times, leaves the ledger branch at a complete event (its commit names
// an event file its tree holds) and a repository that passes git fsck, and
// the ledger holds every event whose command reported success.
func TestLedgerKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 60 writers")
	}
	bin := secretsctlBinary(t)
	dir := storetest.NewExample(t)
	head := storetest.Git(t, dir, "rev-parse", "HEAD")
	out := t.TempDir()
	// Calibrate: how long one issue takes here, so kills spread over it.
	start := time.Now()
	require.NoError(t, ledgerCmd(bin, dir, issueArgs(out, "calibrate")...).Run())
	span := time.Since(start) * 3 / 2
	var succeeded []string
	staleLocks := 0
	for i := range 60 {
		d := fmt.Sprintf("k%03d", i)
		cmd := ledgerCmd(bin, dir, issueArgs(out, d)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			require.NoError(t, err, "%s failed on its own: %s", d, stderr.String())
			succeeded = append(succeeded, d)
		case <-time.After(time.Duration(rand.Int64N(int64(span)))):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			if err := <-done; err == nil {
				succeeded = append(succeeded, d)
			}
		}
		// A kill inside git's lock protocol leaves the ref's lock file (as
		// a killed git does); the next writer recognises it as a dead
		// secretsctl's and removes it, so the next run must succeed.
		if _, err := os.Stat(filepath.Join(dir, ".git", "refs", "heads", ledgerBranch+".lock")); err == nil {
			staleLocks++
		}
		requireCompleteTip(t, dir)
		if i%10 == 9 {
			fsck(t, dir)
		}
	}
	t.Logf("%d of 60 writers finished before the kill; %d kills left a lock file the next writer removed", len(succeeded), staleLocks)
	require.NoError(t, ledgerCmd(bin, dir, issueArgs(out, "after")...).Run())
	assert.NoFileExists(t, filepath.Join(dir, ".git", "refs", "heads", ledgerBranch+".lock"))
	assert.Empty(t, storetest.Git(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads/secretsctl/ledger.*"), "no stray ref")
	fsck(t, dir)
	assert.Equal(t, head, storetest.Git(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, "", storetest.Git(t, dir, "status", "--porcelain"))
	// The repository opens and every reported success is in the ledger.
	b, err := ledgerCmd(bin, dir, "deployments", "--format", "json").CombinedOutput()
	require.NoError(t, err, "%s", b)
	for _, d := range succeeded {
		assert.Contains(t, string(b), `"deployment": "`+d+`"`, "a successful issue is missing from the ledger")
	}
	folders, commits := deploymentsOnLedger(t, dir)
	assert.Len(t, folders, len(commits), "every ledger commit's event file is there, and no other")
}

// requireCompleteTip checks that the ledger branch names a commit whose
// event file (its Secretsctl-Event trailer) is in its tree.
func requireCompleteTip(t *testing.T, dir string) {
	t.Helper()
	event := storetest.Git(t, dir, "log", "-1", "--format=%(trailers:key=Secretsctl-Event,valueonly)", ledgerBranch)
	require.NotEmpty(t, event, "the ledger tip is an event commit")
	storetest.Git(t, dir, "cat-file", "-e", ledgerBranch+":"+strings.TrimSpace(event))
}
