package gitrepo

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testBranch = "secretsctl/ledger"

func commitBranch(t testing.TB, r *Repo, parent string, files map[string]string, unchanged ...string) Commit {
	t.Helper()
	ch := BranchChange{Branch: testBranch, Files: map[string][]byte{}, Message: "event\n", Parent: parent, Unchanged: unchanged}
	for p, c := range files {
		ch.Files[p] = []byte(c)
	}
	c, ok, err := r.CommitBranch(context.Background(), ch)
	require.NoError(t, err)
	require.True(t, ok)
	return c
}

// TestCommitBranchLeavesCheckoutAlone: a commit on another branch, made
// from a checkout with staged and unstaged edits, leaves HEAD, the index
// and the work tree exactly as they were (the real git CLI says so).
func TestCommitBranchLeavesCheckoutAlone(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"secretsctl.yaml": "v1", "other": "x"})
	writeWT(t, dir, "other", "edited")
	writeWT(t, dir, "staged", "new")
	runGit(t, dir, "add", "staged")
	writeWT(t, dir, "deployments/untracked", "u")
	status := runGit(t, dir, "status", "--porcelain")
	head := runGit(t, dir, "rev-parse", "HEAD")
	c := commitBranch(t, r, "", map[string]string{"deployments/s/a/1.yaml": "a1"}, "deployments/s/a")
	assert.Equal(t, status, runGit(t, dir, "status", "--porcelain"))
	assert.Equal(t, head, runGit(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, c.Hash, runGit(t, dir, "rev-parse", "refs/heads/"+testBranch))
	assert.Equal(t, "a1", runGit(t, dir, "show", testBranch+":deployments/s/a/1.yaml"))
	assert.Equal(t, c.Hash, runGit(t, dir, "rev-list", "--parents", "--max-count=1", testBranch), "a root commit")
	assert.Empty(t, runGit(t, dir, "fsck", "--strict", "--no-dangling", "--no-progress"))

	// Detached HEAD: the same.
	runGit(t, dir, "checkout", "-q", "--detach")
	c2 := commitBranch(t, r, c.Hash, map[string]string{"deployments/s/b/1.yaml": "b1"}, "deployments/s/b")
	assert.Equal(t, head, runGit(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, c.Hash, runGit(t, dir, "rev-parse", c2.Hash+"^"))
}

// TestCommitBranchCompareAndSwap: a change computed at an older commit of
// the branch lands when its guarded paths did not change, and fails with
// ErrConcurrentUpdate when they did.
func TestCommitBranchCompareAndSwap(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "1"})
	base := commitBranch(t, r, "", map[string]string{"deployments/s/a/1.yaml": "a1"}, "deployments/s/a")
	commitBranch(t, r, base.Hash, map[string]string{"deployments/s/b/1.yaml": "b1"}, "deployments/s/b")
	commitBranch(t, r, base.Hash, map[string]string{"deployments/s/c/1.yaml": "c1"}, "deployments/s/c")
	_, _, err := r.CommitBranch(context.Background(), BranchChange{Branch: testBranch, Message: "m\n", Parent: base.Hash,
		Files: map[string][]byte{"deployments/s/b/2.yaml": []byte("b2")}, Unchanged: []string{"deployments/s/b"}})
	require.ErrorIs(t, err, ErrConcurrentUpdate)
	_, _, err = r.CommitBranch(context.Background(), BranchChange{Branch: testBranch, Message: "m\n", Parent: "",
		Files: map[string][]byte{"deployments/s/d/1.yaml": []byte("d")}})
	require.ErrorIs(t, err, ErrConcurrentUpdate, "without Unchanged any move is a conflict")
	// Computed when the branch did not exist yet: lands when its folder is
	// still absent.
	commitBranch(t, r, "", map[string]string{"deployments/s/e/1.yaml": "e1"}, "deployments/s/e")
	assert.Equal(t, "4", runGit(t, dir, "rev-list", "--count", testBranch))
	requireClean(t, dir)
}

// TestCommitBranchRefusesCheckedOutBranch: moving the branch HEAD is on
// would leave the work tree behind.
func TestCommitBranchRefusesCheckedOutBranch(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "1"})
	c := commitBranch(t, r, "", map[string]string{"deployments/x": "1"}, "deployments")
	runGit(t, dir, "checkout", "-q", testBranch)
	_, _, err := r.CommitBranch(context.Background(), BranchChange{Branch: testBranch, Message: "m\n", Parent: c.Hash,
		Files: map[string][]byte{"deployments/y": []byte("2")}, Unchanged: []string{"deployments/y"}})
	require.ErrorIs(t, err, ErrBranchCheckedOut)
}

// TestCommitBranchInBareClone: a bare clone is written without a work
// tree, starting from the remote's branch when it has none of its own.
func TestCommitBranchInBareClone(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "1"})
	first := commitBranch(t, r, "", map[string]string{"deployments/x": "1"}, "deployments/x")
	bare := filepath.Join(t.TempDir(), "b.git")
	runGit(t, dir, "clone", "-q", "--bare", dir, bare)
	b, err := OpenBare(bare)
	require.NoError(t, err)
	c, ok, err := b.CommitBranch(context.Background(), BranchChange{Branch: testBranch, Message: "m\n", Parent: first.Hash,
		Files: map[string][]byte{"deployments/y": []byte("2")}, Unchanged: []string{"deployments/y"}})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, first.Hash, runGit(t, bare, "rev-parse", c.Hash+"^"))
	assert.Empty(t, runGit(t, bare, "fsck", "--strict", "--no-dangling", "--no-progress"))

	// A missing branch starts from Start.
	runGit(t, bare, "update-ref", "-d", "refs/heads/"+testBranch)
	c, _, err = b.CommitBranch(context.Background(), BranchChange{Branch: testBranch, Message: "m\n", Parent: first.Hash, Start: first.Hash,
		Files: map[string][]byte{"deployments/z": []byte("3")}})
	require.NoError(t, err)
	assert.Equal(t, first.Hash, runGit(t, bare, "rev-parse", c.Hash+"^"))
}

// TestPushBranchRebasesOntoRemote: a push of a branch rejected because the
// remote moved is rebased onto it (new files on both sides) and lands; the
// checkout of the pushing clone is never touched.
func TestPushBranchRebasesOntoRemote(t *testing.T) {
	r0, origin := testRepo(t)
	apply(t, r0, map[string]string{"base": "0"})
	root := commitBranch(t, r0, "", map[string]string{"deployments/k": "k"}, "deployments/k")
	bare := filepath.Join(t.TempDir(), "remote.git")
	runGit(t, origin, "clone", "-q", "--bare", origin, bare)
	clone := func() (*Repo, string) {
		d := filepath.Join(t.TempDir(), "c")
		runGit(t, filepath.Dir(d), "clone", "-q", bare, d)
		r, err := Open(d)
		require.NoError(t, err)
		return r, d
	}
	a, _ := clone()
	b, bdir := clone()
	ctx := context.Background()
	for _, x := range []struct {
		r    *Repo
		file string
	}{{a, "deployments/s/x/1.yaml"}, {b, "deployments/s/y/1.yaml"}} {
		_, _, err := x.r.CommitBranch(ctx, BranchChange{Branch: testBranch, Message: "e\n", Parent: root.Hash, Start: root.Hash,
			Files: map[string][]byte{x.file: []byte("v")}, Unchanged: []string{x.file}})
		require.NoError(t, err)
	}
	_, err := a.PushBranch(ctx, "origin", testBranch, 3)
	require.NoError(t, err)
	head, err := b.PushBranch(ctx, "origin", testBranch, 3)
	require.NoError(t, err)
	assert.Equal(t, head.Hash, runGit(t, bare, "rev-parse", testBranch))
	assert.Equal(t, "v", runGit(t, bare, "show", testBranch+":deployments/s/x/1.yaml"))
	assert.Equal(t, "v", runGit(t, bare, "show", testBranch+":deployments/s/y/1.yaml"))
	assert.Contains(t, runGit(t, bdir, "reflog", "-1", "--format=%gs", testBranch), "rebase (secretsctl push)")
	requireClean(t, bdir)
	assert.Empty(t, runGit(t, bare, "fsck", "--strict", "--no-dangling", "--no-progress"))

	// Both sides changing one file is not replayed.
	for _, r := range []*Repo{a, b} {
		cur, _, err := r.RefHash("refs/heads/" + testBranch)
		require.NoError(t, err)
		_, _, err = r.CommitBranch(ctx, BranchChange{Branch: testBranch, Message: "e\n", Parent: cur,
			Files: map[string][]byte{"deployments/k": []byte(r.Root())}, Unchanged: []string{"deployments/s"}})
		require.NoError(t, err)
	}
	_, err = a.PushBranch(ctx, "origin", testBranch, 3)
	require.NoError(t, err)
	_, err = b.PushBranch(ctx, "origin", testBranch, 3)
	require.ErrorIs(t, err, ErrDiverged)
}

// TestFetchAndFastForwardBranch: a remote without the branch fetches as
// absent; a missing local branch is created at the remote's, a behind one
// fast-forwarded, and one with commits the remote lacks left alone.
func TestFetchAndFastForwardBranch(t *testing.T) {
	r0, origin := testRepo(t)
	apply(t, r0, map[string]string{"a": "1"})
	bare := filepath.Join(t.TempDir(), "remote.git")
	runGit(t, origin, "clone", "-q", "--bare", origin, bare)
	d := filepath.Join(t.TempDir(), "c")
	runGit(t, filepath.Dir(d), "clone", "-q", bare, d)
	c, err := Open(d)
	require.NoError(t, err)
	ctx := context.Background()
	_, ok, err := c.FetchBranch(ctx, "origin", testBranch)
	require.NoError(t, err)
	assert.False(t, ok, "the remote has no ledger branch")

	first := commitBranch(t, r0, "", map[string]string{"deployments/x": "1"}, "deployments/x")
	runGit(t, origin, "push", "-q", bare, testBranch)
	hash, ok, err := c.FetchBranch(ctx, "origin", testBranch)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, first.Hash, hash)
	moved, err := c.FastForwardBranch(ctx, testBranch, hash)
	require.NoError(t, err)
	assert.True(t, moved, "created")

	second := commitBranch(t, r0, first.Hash, map[string]string{"deployments/y": "2"}, "deployments/y")
	runGit(t, origin, "push", "-q", bare, testBranch)
	hash, _, err = c.FetchBranch(ctx, "origin", testBranch)
	require.NoError(t, err)
	moved, err = c.FastForwardBranch(ctx, testBranch, hash)
	require.NoError(t, err)
	assert.True(t, moved, "fast-forwarded")
	assert.Equal(t, second.Hash, runGit(t, d, "rev-parse", testBranch))

	local := commitBranch(t, c, second.Hash, map[string]string{"deployments/z": "3"}, "deployments/z")
	moved, err = c.FastForwardBranch(ctx, testBranch, second.Hash)
	require.NoError(t, err)
	assert.False(t, moved, "a branch ahead of the remote is left alone")
	assert.Equal(t, local.Hash, runGit(t, d, "rev-parse", testBranch))
	requireClean(t, d)
}
