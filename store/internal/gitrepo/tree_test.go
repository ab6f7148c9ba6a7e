package gitrepo

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTreeAtOlderCommit(t *testing.T) {
	r, dir := testRepo(t)
	old := apply(t, r, map[string]string{
		"s/a.yaml": "a1", "s/b.yaml": "b1", "s/sub/c.yaml": "c1", "s/sub/deeper/d.yaml": "d1", "top": "t",
	})
	runGit(t, dir, "update-index", "--chmod=+x", "top") // an executable counts as a regular file
	runGit(t, dir, "commit", "-q", "-m", "chmod")
	writeWT(t, dir, "s/link-target", "x")
	runGit(t, dir, "-c", "core.symlinks=true", "add", "s/link-target")
	runGit(t, dir, "commit", "-q", "-m", "target")
	mustSymlink(t, dir, "link-target", "s/link")
	runGit(t, dir, "add", "s/link")
	runGit(t, dir, "commit", "-q", "-m", "symlink")
	apply(t, mustOpen(t, dir), map[string]string{"s/a.yaml": "a2", "s/new.yaml": "n"}, "s/sub/c.yaml")

	oldTree, err := r.Tree(old)
	require.NoError(t, err)
	newTree, err := r.Tree(mustResolve(t, r, "HEAD"))
	require.NoError(t, err)

	b, err := oldTree.ReadFile("s/a.yaml")
	require.NoError(t, err)
	assert.Equal(t, "a1", string(b))
	b, err = newTree.ReadFile("s/a.yaml")
	require.NoError(t, err)
	assert.Equal(t, "a2", string(b))
	b, err = oldTree.ReadFile("./s//sub/c.yaml")
	require.NoError(t, err)
	assert.Equal(t, "c1", string(b))

	_, err = oldTree.ReadFile("s/new.yaml")
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = newTree.ReadFile("s/sub/c.yaml")
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = newTree.ReadFile("s/a.yaml/x")
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = newTree.ReadFile("s/sub")
	assert.ErrorContains(t, err, "is a directory")
	_, err = newTree.ReadFile("s/link")
	assert.ErrorContains(t, err, "not a regular file")

	list := func(tr *Tree, dir string) []string {
		names, err := tr.List(dir)
		require.NoError(t, err)
		return names
	}
	assert.Equal(t, []string{"a.yaml", "b.yaml"}, list(oldTree, "s"))
	assert.Equal(t, []string{"a.yaml", "b.yaml", "link-target", "new.yaml"}, list(newTree, "s/"))
	assert.Equal(t, []string{"top"}, list(newTree, ""))
	assert.Equal(t, []string{}, list(newTree, "absent"))
	assert.Equal(t, []string{}, list(newTree, "top"))

	walk := func(tr *Tree, dir string) []string {
		all, err := tr.Walk(dir)
		require.NoError(t, err)
		return all
	}
	assert.Equal(t, []string{"s/a.yaml", "s/b.yaml", "s/sub/c.yaml", "s/sub/deeper/d.yaml"}, walk(oldTree, "s"))
	assert.Equal(t, []string{"s/a.yaml", "s/b.yaml", "s/link-target", "s/new.yaml", "s/sub/deeper/d.yaml", "top"}, walk(newTree, ""))
	assert.Equal(t, []string{}, walk(newTree, "nope"))

	h, err := oldTree.BlobHash("s/a.yaml")
	require.NoError(t, err)
	assert.Equal(t, runGit(t, dir, "rev-parse", old.Hash+":s/a.yaml"), h)
	_, err = oldTree.BlobHash("s/missing")
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestTreeInvalidCommit(t *testing.T) {
	r, _ := testRepo(t)
	_, err := r.Tree(Commit{})
	assert.Error(t, err)
	_, err = r.Tree(Commit{Hash: "0123456789012345678901234567890123456789"})
	assert.Error(t, err)
}

func mustSymlink(t *testing.T, dir, target, link string) {
	t.Helper()
	require.NoError(t, os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))))
}
