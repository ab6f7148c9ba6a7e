package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUpdateRefCompareAndSwap(t *testing.T) {
	r, dir := testRepo(t)
	first := apply(t, r, map[string]string{"a": "1"})
	second := apply(t, r, map[string]string{"a": "2"})
	main := plumbing.NewBranchReferenceName("main")
	ctx := context.Background()
	update := func(old plumbing.Hash) error {
		return r.updateRef(ctx, refUpdate{branch: main, old: old, new: plumbing.NewHash(first.Hash),
			who: Signature{"n", "e"}, when: time.Now(), reason: "test"})
	}

	for name, old := range map[string]plumbing.Hash{
		"stale old value":   plumbing.NewHash(first.Hash),
		"expected unborn":   plumbing.ZeroHash,
		"unrelated old one": plumbing.NewHash("0123456789012345678901234567890123456789"),
	} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, update(old), ErrConcurrentUpdate)
			assert.Equal(t, second.Hash, runGit(t, dir, "rev-parse", "main"))
			_, err := os.Stat(filepath.Join(r.commonDir, "refs", "heads", "main.lock"))
			assert.ErrorIs(t, err, os.ErrNotExist)
		})
	}

	t.Run("packed ref", func(t *testing.T) {
		runGit(t, dir, "pack-refs", "--all")
		_, err := os.Stat(filepath.Join(r.commonDir, "refs", "heads", "main"))
		require.ErrorIs(t, err, os.ErrNotExist)
		assert.ErrorIs(t, update(plumbing.NewHash(first.Hash)), ErrConcurrentUpdate)
		_, err = os.Stat(filepath.Join(r.commonDir, "refs", "heads", "main"))
		assert.ErrorIs(t, err, os.ErrNotExist, "no empty loose ref left behind")
		require.NoError(t, update(plumbing.NewHash(second.Hash)))
		assert.Equal(t, first.Hash, runGit(t, dir, "rev-parse", "main"))
	})
}

func TestApplyWithRefLockHeld(t *testing.T) {
	r, dir := testRepo(t)
	c := apply(t, r, map[string]string{"a": "1"})
	lock := filepath.Join(r.commonDir, "refs", "heads", "main.lock")
	require.NoError(t, os.WriteFile(lock, nil, 0o644))

	_, ok, err := r.Apply(context.Background(), Change{Files: files("a", "2"), Message: "m"})
	assert.False(t, ok)
	assert.ErrorContains(t, err, lock)
	assert.Equal(t, c.Hash, runGit(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, "1", readWT(t, dir, "a"), "work tree untouched")
	require.NoError(t, os.Remove(lock))
	requireClean(t, dir)
}

func TestApplyDetachedHead(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "1"})
	runGit(t, dir, "checkout", "-q", "--detach")
	_, _, err := r.Apply(context.Background(), Change{Files: files("a", "2"), Message: "m"})
	assert.ErrorIs(t, err, ErrDetachedHead)
}

func TestApplyOnOtherBranchAndReflog(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "1"})
	runGit(t, dir, "checkout", "-q", "-b", "feature/x")
	c := apply(t, r, map[string]string{"a": "2"})
	assert.Equal(t, c.Hash, runGit(t, dir, "rev-parse", "feature/x"))
	assert.NotEqual(t, c.Hash, runGit(t, dir, "rev-parse", "main"))
	assert.Equal(t, c.Hash+" commit: test change", runGit(t, dir, "reflog", "-1", "--format=%H %gs", "feature/x"))
	assert.Equal(t, c.Hash+" commit: test change", runGit(t, dir, "reflog", "-1", "--format=%H %gs", "HEAD"))

	runGit(t, dir, "config", "core.logAllRefUpdates", "false")
	before := runGit(t, dir, "reflog", "feature/x")
	apply(t, r, map[string]string{"a": "3"})
	assert.Equal(t, before, runGit(t, dir, "reflog", "feature/x"))
	assert.Len(t, strings.Split(runGit(t, dir, "log", "--format=%H"), "\n"), 3)
	requireClean(t, dir)
}
