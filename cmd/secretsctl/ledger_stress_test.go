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

// TestLedgerConcurrentWriters: 8 processes issue 25 deployments each at
// once into one store; every event lands, once, and the repository is sound.
func TestLedgerConcurrentWriters(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 200 processes")
	}
	bin := secretsctlBinary(t)
	dir := storetest.NewExample(t)
	out := t.TempDir()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				d := fmt.Sprintf("w%d-d%02d", w, i)
				if b, err := ledgerCmd(bin, dir, issueArgs(out, d)...).CombinedOutput(); err != nil {
					errs <- fmt.Errorf("%s: %v: %s", d, err, b)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, writers*each, strings.Count(storetest.Git(t, dir, "log", "--format=%B"), "Secretsctl-Action: issue"))
	files := storetest.Git(t, dir, "ls-files", "deployments/picker-wheel")
	assert.Len(t, strings.Fields(files), writers*each, "one event file per deployment")
	assert.Equal(t, "", storetest.Git(t, dir, "status", "--porcelain"))
	fsck(t, dir)
}

// TestLedgerConcurrentPush: two clones issue and push to one bare remote at
// once; rejected pushes are rebased and retried, so every event lands.
func TestLedgerConcurrentPush(t *testing.T) {
	bin := secretsctlBinary(t)
	origin := storetest.NewExample(t)
	// The first issue creates the store's fingerprint key; a store is
	// shared once it has one (two clones creating it at once would both
	// write deployments/fingerprint-key.yaml, which no rebase can merge).
	require.NoError(t, ledgerCmd(bin, origin, issueArgs(t.TempDir(), "first")...).Run())
	bare := filepath.Join(t.TempDir(), "remote.git")
	storetest.Git(t, origin, "clone", "-q", "--bare", origin, bare)
	clones := make([]string, 2)
	for i := range clones {
		clones[i] = filepath.Join(t.TempDir(), "clone")
		storetest.Git(t, filepath.Dir(clones[i]), "clone", "-q", bare, clones[i])
	}
	out := t.TempDir()
	// Sequentially first: clone 1 pushes on top of a remote clone 0 moved,
	// so its push is rejected and must be rebased.
	require.NoError(t, ledgerCmd(bin, clones[0], issueArgs(out, "seq-0", "--push")...).Run())
	b, err := ledgerCmd(bin, clones[1], issueArgs(out, "seq-1", "--push")...).CombinedOutput()
	require.NoError(t, err, "%s", b)
	assert.Contains(t, storetest.Git(t, clones[1], "reflog", "-1", "--format=%gs"), "rebase (secretsctl push)")
	// git config secretsctl.push does what --push does.
	storetest.Git(t, clones[0], "config", "secretsctl.push", "true")
	b, err = ledgerCmd(bin, clones[0], issueArgs(out, "seq-2")...).CombinedOutput()
	require.NoError(t, err, "%s", b)
	assert.Contains(t, storetest.Git(t, bare, "log", "-1", "--format=%B", "main"), "Secretsctl-Deployment: seq-2")
	const each = 4
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for c, dir := range clones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				d := fmt.Sprintf("c%d-d%d", c, i)
				if b, err := ledgerCmd(bin, dir, issueArgs(out, d, "--push")...).CombinedOutput(); err != nil {
					errs <- fmt.Errorf("%s: %v: %s", d, err, b)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	log := storetest.Git(t, bare, "log", "--format=%B", "main")
	assert.Equal(t, 2*each+4, strings.Count(log, "Secretsctl-Action: issue"), "every push landed on the remote")
	for c := range clones {
		for i := range each {
			assert.True(t, strings.Contains(log, fmt.Sprintf("Secretsctl-Deployment: c%d-d%d\n", c, i)), "c%d-d%d is not on the remote", c, i)
		}
	}
	fsck(t, bare)
	for _, dir := range clones {
		assert.Equal(t, "", storetest.Git(t, dir, "status", "--porcelain"), "the rebased clone's work tree matches HEAD")
	}
}

// TestLedgerKilledWriter: a writer killed with SIGKILL at a random moment,
// 100 times, leaves a repository that opens and passes git fsck, and holds
// every event whose command reported success.
func TestLedgerKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 100 writers")
	}
	bin := secretsctlBinary(t)
	dir := storetest.NewExample(t)
	out := t.TempDir()
	// Calibrate: how long one issue takes here, so kills spread over it.
	start := time.Now()
	require.NoError(t, ledgerCmd(bin, dir, issueArgs(out, "calibrate")...).Run())
	span := time.Since(start) * 3 / 2
	var succeeded []string
	staleLocks := 0
	for i := range 100 {
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
		// A kill inside git's lock protocol leaves index.lock (as a killed
		// git does); the next writer recognises it as a dead secretsctl's
		// and removes it, so the next run must succeed without help.
		if _, err := os.Stat(filepath.Join(dir, ".git", "index.lock")); err == nil {
			staleLocks++
		}
		if i%10 == 9 {
			fsck(t, dir)
		}
	}
	t.Logf("%d of 100 writers finished before the kill; %d kills left a lock file the next writer removed", len(succeeded), staleLocks)
	require.NoError(t, ledgerCmd(bin, dir, issueArgs(out, "after")...).Run())
	assert.NoFileExists(t, filepath.Join(dir, ".git", "index.lock"))
	assert.Empty(t, storetest.Git(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads/main.*"), "no stray ref")
	fsck(t, dir)
	// The repository opens and every reported success is in HEAD's ledger.
	b, err := ledgerCmd(bin, dir, "deployments", "--format", "json").CombinedOutput()
	require.NoError(t, err, "%s", b)
	for _, d := range succeeded {
		assert.Contains(t, string(b), `"deployment": "`+d+`"`, "a successful issue is missing from the ledger")
	}
	tracked := storetest.Git(t, dir, "ls-tree", "-r", "--name-only", "HEAD", "deployments/picker-wheel")
	for _, d := range succeeded {
		assert.Contains(t, tracked, "deployments/picker-wheel/"+d+"/")
	}
}
