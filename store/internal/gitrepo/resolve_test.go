package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolve(t *testing.T) {
	r, dir := testRepo(t)
	first := apply(t, r, map[string]string{"a.yaml": "v1"})
	runGit(t, dir, "tag", "light")
	runGit(t, dir, "tag", "-a", "-m", "annotated tag", "annotated")
	second := apply(t, r, map[string]string{"a.yaml": "v2"})
	runGit(t, dir, "branch", "old", first.Hash)

	for rev, want := range map[string]string{
		"":               second.Hash,
		"HEAD":           second.Hash,
		"main":           second.Hash,
		"refs/heads/old": first.Hash,
		"old":            first.Hash,
		"light":          first.Hash,
		"annotated":      first.Hash,
		"tags/annotated": first.Hash,
		second.Hash:      second.Hash,
		first.Hash[:7]:   first.Hash,
		first.Hash[:11]:  first.Hash,
		"HEAD~1":         first.Hash,
		"HEAD^":          first.Hash,
		"main~1":         first.Hash,
		"HEAD^{commit}":  second.Hash,
		"annotated^{}":   first.Hash,
		"@":              second.Hash,
		"main^{/test}":   second.Hash,
	} {
		c, err := r.Resolve(rev)
		if assert.NoError(t, err, rev) {
			assert.Equal(t, want, c.Hash, rev)
		}
	}

	hexName := second.Hash[:6]
	runGit(t, dir, "branch", hexName, first.Hash)
	assert.Equal(t, first.Hash, mustResolve(t, r, hexName).Hash, "a branch wins over an abbreviated hash, as in git")
	assert.Equal(t, first.Hash, runGit(t, dir, "rev-parse", hexName))

	c := mustResolve(t, r, "HEAD")
	assert.Equal(t, second, c)
	assert.Equal(t, "Global Tester", c.Author)
	assert.Equal(t, "global@example.com", c.Email)
	assert.Equal(t, runGit(t, dir, "log", "-1", "--format=%cI"), c.Time.Format("2006-01-02T15:04:05-07:00"))
}

func TestResolveUnknown(t *testing.T) {
	r, dir := testRepo(t)
	_, err := r.Resolve("HEAD")
	assert.ErrorIs(t, err, ErrNoCommits)
	_, err = r.Resolve("")
	assert.ErrorIs(t, err, ErrNoCommits)

	apply(t, r, map[string]string{"a": "a"})
	head := mustResolve(t, r, "HEAD").Hash
	for _, rev := range []string{
		"nope", "HEAD~5", "HEAD^2", "deadbeef", "0123456789012345678901234567890123456789", "main^{/no such}",
		"HEAD:a", "HEAD@{1}", "main@{upstream}", "HEAD^{tree}", "HEAD^{blob}", "HEAD~^{tree}",
		head[:1], head[:3], "../config", "refs/../../HEAD", "config", "~1", "^",
	} {
		_, err := r.Resolve(rev)
		assert.ErrorIs(t, err, ErrUnknownRevision, rev)
		assert.ErrorContains(t, err, `"`+rev+`"`, "names the revision")
	}

	tree := runGit(t, dir, "rev-parse", "HEAD^{tree}")
	_, err = r.Resolve(tree)
	assert.ErrorIs(t, err, ErrUnknownRevision, "a tree is not a commit")
}

func TestResolveAfterGitGC(t *testing.T) {
	r, dir := testRepo(t)
	first := apply(t, r, map[string]string{"a": "1"})
	tree, err := r.Tree(first)
	require.NoError(t, err)
	_, err = tree.ReadFile("a") // go-git has now scanned the (absent) pack files
	require.NoError(t, err)

	second := apply(t, mustOpen(t, dir), map[string]string{"a": "2", "b": "b"})
	runGit(t, dir, "gc", "-q", "--prune=now") // packs every object, removes loose ones

	c := mustResolve(t, r, "HEAD")
	assert.Equal(t, second.Hash, c.Hash)
	tree, err = r.Tree(c)
	require.NoError(t, err)
	b, err := tree.ReadFile("b")
	require.NoError(t, err)
	assert.Equal(t, "b", string(b))

	third := apply(t, r, map[string]string{"a": "3"}) // after gc: branch only in packed-refs
	assert.Equal(t, second.Hash, mustResolve(t, r, "HEAD~1").Hash)
	assert.Equal(t, third.Hash, runGit(t, dir, "rev-parse", "main"))
	requireClean(t, dir)
}

func TestOpen(t *testing.T) {
	_, err := Open(t.TempDir())
	assert.ErrorIs(t, err, ErrNotRepo)

	r, dir := testRepo(t)
	sub := filepath.Join(dir, "stores", "prod")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	inner, err := Open(sub)
	require.NoError(t, err)
	assert.Equal(t, r.Root(), inner.Root())
	assert.True(t, filepath.IsAbs(inner.Root()))

	again, created, err := Init(sub)
	require.NoError(t, err)
	assert.False(t, created, "sub-folder of an existing repository")
	assert.Equal(t, r.Root(), again.Root())

	bare := t.TempDir()
	runGit(t, bare, "init", "-q", "--bare")
	_, err = Open(bare)
	assert.ErrorContains(t, err, "bare")
}

func TestInitCreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "store")
	r, created, err := Init(dir)
	require.NoError(t, err)
	assert.True(t, created)
	apply(t, r, map[string]string{"secretsctl.yaml": "version: 1\n"})
	assert.Equal(t, "main", runGit(t, dir, "branch", "--show-current"))
	requireClean(t, dir)
}

func TestLinkedWorktree(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "a"})
	wt := filepath.Join(t.TempDir(), "wt")
	runGit(t, dir, "worktree", "add", "-q", "-b", "feature", wt)

	w := mustOpen(t, wt)
	apply(t, w, map[string]string{"b": "b"})
	assert.Equal(t, "a\nb", runGit(t, dir, "ls-tree", "-r", "--name-only", "feature"))
	assert.Equal(t, "a", runGit(t, dir, "ls-tree", "-r", "--name-only", "main"))
	requireClean(t, wt)
	requireClean(t, dir)
}

func TestStoreInSubfolder(t *testing.T) {
	_, dir := testRepo(t)
	writeWT(t, dir, "app/main.go", "package main\n")
	runGit(t, dir, "add", ".")
	runGit(t, dir, "commit", "-q", "-m", "app")

	r := mustOpen(t, filepath.Join(dir, "app"))
	c := apply(t, r, map[string]string{"secrets/prod/db.yaml": "db", "secrets/secretsctl.yaml": "v"})
	tree, err := r.Tree(c)
	require.NoError(t, err)
	names, err := tree.List("secrets/")
	require.NoError(t, err)
	assert.Equal(t, []string{"secretsctl.yaml"}, names)
	all, err := tree.Walk("secrets")
	require.NoError(t, err)
	assert.Equal(t, []string{"secrets/prod/db.yaml", "secrets/secretsctl.yaml"}, all)
	_, err = tree.ReadFile("app/main.go")
	require.NoError(t, err)
	requireClean(t, dir)
}

func TestErrorsAreClassified(t *testing.T) {
	r, _ := testRepo(t)
	c := apply(t, r, map[string]string{"a": "a"})
	tree, err := r.Tree(c)
	require.NoError(t, err)
	_, err = tree.ReadFile("missing")
	assert.True(t, errors.Is(err, fs.ErrNotExist))
}
