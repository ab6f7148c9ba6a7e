package gitrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const canary = "CANARY-d41d8cd98f00b204"

// refuse applies a change that must fail with a DirtyError naming paths,
// and checks that nothing moved.
func refuse(t *testing.T, r *Repo, dir string, ch Change, paths ...string) {
	t.Helper()
	head := runGit(t, dir, "rev-parse", "HEAD")
	status := runGit(t, dir, "status", "--porcelain", "--untracked-files=all")
	ch.Message = "m"
	_, ok, err := r.Apply(context.Background(), ch)
	require.Error(t, err)
	assert.False(t, ok)
	var de *DirtyError
	require.True(t, errors.As(err, &de), "want *DirtyError, got %v", err)
	assert.Equal(t, paths, de.Paths)
	assert.ErrorContains(t, err, "commit or stash them first")
	assert.NotContains(t, err.Error(), canary)
	assert.NotContains(t, err.Error(), "new content")
	assert.Equal(t, head, runGit(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, status, runGit(t, dir, "status", "--porcelain", "--untracked-files=all"))
	_, err = os.Stat(filepath.Join(r.gitDir, "index.lock"))
	assert.ErrorIs(t, err, os.ErrNotExist, "index lock released")
}

func files(kv ...string) map[string][]byte {
	m := map[string][]byte{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = []byte(kv[i+1])
	}
	return m
}

func TestApplyRefusesUncommittedChanges(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a.yaml": "committed", "d/b.yaml": "committed", "c.yaml": "committed"})

	t.Run("modified tracked file", func(t *testing.T) {
		writeWT(t, dir, "a.yaml", canary)
		refuse(t, r, dir, Change{Files: files("a.yaml", "new content")}, "a.yaml")
		assert.Equal(t, canary, readWT(t, dir, "a.yaml"), "left untouched")
		refuse(t, r, dir, Change{Delete: []string{"a.yaml"}}, "a.yaml")
		assert.Equal(t, canary, readWT(t, dir, "a.yaml"))
		runGit(t, dir, "checkout", "--", "a.yaml")
	})
	t.Run("several paths named", func(t *testing.T) {
		writeWT(t, dir, "a.yaml", canary)
		writeWT(t, dir, "d/b.yaml", canary)
		refuse(t, r, dir, Change{Files: files("a.yaml", "x", "d/b.yaml", "y", "c.yaml", "z")}, "a.yaml", "d/b.yaml")
		assert.Equal(t, "committed", readWT(t, dir, "c.yaml"), "clean paths untouched too")
		runGit(t, dir, "checkout", "--", ".")
	})
	t.Run("staged change", func(t *testing.T) {
		writeWT(t, dir, "a.yaml", canary)
		runGit(t, dir, "add", "a.yaml")
		writeWT(t, dir, "a.yaml", "committed")
		refuse(t, r, dir, Change{Files: files("a.yaml", "new content")}, "a.yaml")
		runGit(t, dir, "reset", "-q", "a.yaml")
	})
	t.Run("deleted tracked file", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(dir, "a.yaml")))
		refuse(t, r, dir, Change{Files: files("a.yaml", "new content")}, "a.yaml")
		runGit(t, dir, "checkout", "--", "a.yaml")
	})
	t.Run("untracked file with other content", func(t *testing.T) {
		writeWT(t, dir, "new.yaml", canary)
		refuse(t, r, dir, Change{Files: files("new.yaml", "new content")}, "new.yaml")
		assert.Equal(t, canary, readWT(t, dir, "new.yaml"))
		require.NoError(t, os.Remove(filepath.Join(dir, "new.yaml")))
	})
	t.Run("untracked file in the way of a directory", func(t *testing.T) {
		writeWT(t, dir, "blocker", canary)
		refuse(t, r, dir, Change{Files: files("blocker/x.yaml", "new content")}, "blocker")
		require.NoError(t, os.Remove(filepath.Join(dir, "blocker")))
	})
	t.Run("symbolic link in the path", func(t *testing.T) {
		outside := t.TempDir()
		require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))
		refuse(t, r, dir, Change{Files: files("link/x.yaml", "new content")}, "link")
		_, err := os.Stat(filepath.Join(outside, "x.yaml"))
		assert.ErrorIs(t, err, os.ErrNotExist, "nothing written outside the work tree")
		require.NoError(t, os.Remove(filepath.Join(dir, "link")))
	})
	requireClean(t, dir)
}

func TestApplyAcceptsWorkTreeAlreadyAsChanged(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a.yaml": "old", "gone.yaml": "g"})

	writeWT(t, dir, "new.yaml", "same")                            // untracked, identical
	writeWT(t, dir, "a.yaml", "edited")                            // modified to the new content
	require.NoError(t, os.Remove(filepath.Join(dir, "gone.yaml"))) // already deleted
	apply(t, r, map[string]string{"new.yaml": "same", "a.yaml": "edited"}, "gone.yaml")

	assert.Equal(t, "a.yaml\nnew.yaml", runGit(t, dir, "ls-tree", "-r", "--name-only", "HEAD"))
	requireClean(t, dir)
}

func TestApplyKeepsOtherIndexEntries(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a.yaml": "a", "b.yaml": "b"})
	writeWT(t, dir, "staged.txt", "user work")
	runGit(t, dir, "add", "staged.txt")
	writeWT(t, dir, "b.yaml", "unstaged edit")

	apply(t, r, map[string]string{"a.yaml": "a2", "sub/c.yaml": "c"})

	assert.Equal(t, " M b.yaml\nA  staged.txt", runGit(t, dir, "status", "--porcelain"))
	assert.Equal(t, "a.yaml\nb.yaml\nsub/c.yaml", runGit(t, dir, "ls-tree", "-r", "--name-only", "HEAD"))
	runGit(t, dir, "commit", "-q", "-m", "user commit")
	assert.Equal(t, "M\tb.yaml", runGit(t, dir, "diff", "--name-status"))
	runGit(t, dir, "checkout", "--", "b.yaml")
	requireClean(t, dir)
}

func TestApplyWithIndexLockHeld(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a.yaml": "a"})
	head := runGit(t, dir, "rev-parse", "HEAD")
	lock := filepath.Join(r.gitDir, "index.lock")
	require.NoError(t, os.WriteFile(lock, nil, 0o644))

	_, ok, err := r.Apply(context.Background(), Change{Files: files("a.yaml", "b"), Message: "m"})
	assert.False(t, ok)
	assert.ErrorContains(t, err, lock)
	assert.Equal(t, head, runGit(t, dir, "rev-parse", "HEAD"), "no commit made")
	assert.Equal(t, "a", readWT(t, dir, "a.yaml"))

	require.NoError(t, os.Remove(lock))
	apply(t, r, map[string]string{"a.yaml": "b"})
	requireClean(t, dir)
}

func TestApplyRefusesDuringConflictedMerge(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"conflict.txt": "base", "a.yaml": "a"})
	runGit(t, dir, "checkout", "-q", "-b", "side")
	runGit(t, dir, "commit", "-q", "--allow-empty", "-m", "x")
	writeWT(t, dir, "conflict.txt", "side")
	runGit(t, dir, "commit", "-q", "-am", "side")
	runGit(t, dir, "checkout", "-q", "main")
	writeWT(t, dir, "conflict.txt", "main")
	runGit(t, dir, "commit", "-q", "-am", "main")
	_, err := gitErr(dir, "merge", "side")
	require.Error(t, err, "merge conflicts")

	_, ok, err := r.Apply(context.Background(), Change{Files: files("a.yaml", "b"), Message: "m"})
	assert.False(t, ok)
	assert.ErrorContains(t, err, "unmerged paths")
	assert.ErrorContains(t, err, "conflict.txt")
	assert.Equal(t, "a", readWT(t, dir, "a.yaml"))
	runGit(t, dir, "merge", "--abort")
	requireClean(t, dir)
}
