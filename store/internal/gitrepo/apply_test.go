package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplyRootCommitOnUnbornBranch(t *testing.T) {
	dir := t.TempDir()
	r, created, err := Init(dir)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, "refs/heads/main", runGit(t, dir, "symbolic-ref", "HEAD"))

	c := apply(t, r, map[string]string{"secrets.yaml": "a: 1\n"})

	assert.Equal(t, c.Hash, runGit(t, dir, "rev-parse", "HEAD"))
	assert.Equal(t, c.Hash+"\n\nGlobal Tester\nglobal@example.com\ntest change",
		runGit(t, dir, "log", "--format=%H%n%P%n%an%n%ae%n%s"))
	assert.Equal(t, runGit(t, dir, "log", "-1", "--format=%ct"), strconv.FormatInt(c.Time.Unix(), 10))
	assert.Equal(t, "test change", c.Subject)
	assert.Equal(t, "a: 1\n", readWT(t, dir, "secrets.yaml"))
	assert.Equal(t, "a: 1\n", runGit(t, dir, "show", "HEAD:secrets.yaml")+"\n")
	assert.Contains(t, runGit(t, dir, "reflog", "-1", "main"), "commit (initial): test change")
	requireClean(t, dir)
}

func TestApplyNestedDirectories(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"top.yaml": "t"})
	apply(t, r, map[string]string{
		"a/b/c/deep.yaml": "deep",
		"a/b/side.yaml":   "side",
		"a/x.yaml":        "x",
		"a-b.yaml":        "sorts between a and a/ in git order",
		"a.b/y.yaml":      "y",
	})

	assert.Equal(t, strings.Join([]string{
		"a-b.yaml", "a.b/y.yaml", "a/b/c/deep.yaml", "a/b/side.yaml", "a/x.yaml", "top.yaml",
	}, "\n"), runGit(t, dir, "ls-tree", "-r", "--name-only", "HEAD"))
	assert.Equal(t, "deep", readWT(t, dir, "a/b/c/deep.yaml"))
	info, err := os.Stat(filepath.Join(dir, "a", "b", "c"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), info.Mode().Perm())
	info, err = os.Stat(filepath.Join(dir, "a", "b", "c", "deep.yaml"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
	requireClean(t, dir)
}

func TestApplyReplaceDeepFile(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a/b/c/deep.yaml": "v1", "a/b/other.yaml": "o", "z/z.yaml": "z"})
	apply(t, r, map[string]string{"a/b/c/deep.yaml": "v2"})

	assert.Equal(t, "v2", runGit(t, dir, "show", "HEAD:a/b/c/deep.yaml"))
	assert.Equal(t, "v1", runGit(t, dir, "show", "HEAD~1:a/b/c/deep.yaml"))
	assert.Equal(t, "v2", readWT(t, dir, "a/b/c/deep.yaml"))
	assert.Equal(t, runGit(t, dir, "rev-parse", "HEAD~1:z"), runGit(t, dir, "rev-parse", "HEAD:z"), "untouched subtree keeps its id")
	assert.Equal(t, "M\ta/b/c/deep.yaml", runGit(t, dir, "diff", "--name-status", "HEAD~1", "HEAD"))
	requireClean(t, dir)
}

func TestApplyDeletePrunesEmptyDirectories(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a/b/c/deep.yaml": "d", "a/keep.yaml": "k"})
	apply(t, r, nil, "a/b/c/deep.yaml")

	assert.Equal(t, "a/keep.yaml", runGit(t, dir, "ls-tree", "-r", "--name-only", "HEAD"))
	assert.Equal(t, "100644 blob "+runGit(t, dir, "rev-parse", "HEAD:a/keep.yaml")+"\tkeep.yaml",
		runGit(t, dir, "cat-file", "-p", "HEAD:a"))
	_, err := os.Stat(filepath.Join(dir, "a", "b"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	requireClean(t, dir)

	apply(t, r, nil, "a/keep.yaml")
	assert.Empty(t, runGit(t, dir, "ls-tree", "-r", "HEAD"))
	assert.Equal(t, "4b825dc642cb6eb9a060e54bf8d69288fbee4904", runGit(t, dir, "rev-parse", "HEAD^{tree}"))
	requireClean(t, dir)
}

func TestApplyFileBecomesDirectory(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "file"})

	_, _, err := r.Apply(context.Background(), Change{Files: map[string][]byte{"a/b": []byte("x")}, Message: "m"})
	assert.ErrorContains(t, err, "a is a file")

	c := Change{Files: map[string][]byte{"a/b": []byte("x")}, Delete: []string{"a"}, Message: "m"}
	_, ok, err := r.Apply(context.Background(), c)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "x", readWT(t, dir, "a/b"))
	requireClean(t, dir)
}

func TestApplyNoChangeMakesNoCommit(t *testing.T) {
	r, dir := testRepo(t)
	first := apply(t, r, map[string]string{"a.yaml": "same", "b/c.yaml": "c"})
	ctx := context.Background()

	for name, ch := range map[string]Change{
		"same content":   {Files: map[string][]byte{"a.yaml": []byte("same")}, Message: "m"},
		"delete missing": {Delete: []string{"missing.yaml", "b/missing.yaml"}, Message: "m"},
		"nothing":        {Message: "m"},
	} {
		t.Run(name, func(t *testing.T) {
			c, ok, err := r.Apply(ctx, ch)
			require.NoError(t, err)
			assert.False(t, ok)
			assert.Equal(t, Commit{}, c)
			assert.Equal(t, first.Hash, runGit(t, dir, "rev-parse", "HEAD"))
		})
	}

	c, ok, err := r.Apply(ctx, Change{Files: map[string][]byte{"a.yaml": []byte("same")}, Message: "empty", AllowEmpty: true})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, first.Hash, runGit(t, dir, "rev-parse", c.Hash+"^"))
	assert.Equal(t, runGit(t, dir, "rev-parse", first.Hash+"^{tree}"), runGit(t, dir, "rev-parse", "HEAD^{tree}"))
	requireClean(t, dir)
}

func TestApplyUnbornNoChange(t *testing.T) {
	r, dir := testRepo(t)
	_, ok, err := r.Apply(context.Background(), Change{Message: "m"})
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = gitErr(dir, "rev-parse", "--verify", "HEAD")
	assert.Error(t, err, "still unborn")
}

func TestApplyMessageIsVerbatim(t *testing.T) {
	r, dir := testRepo(t)
	msg := "secret: rotate db/password\n\nBody line one.\n  indented line\n\n" +
		"Secretsctl-Resource: db\nSecretsctl-Reason: scheduled\n  rotation\nSigned-off-by: A <a@example.com>\n"
	c, ok, err := r.Apply(context.Background(), Change{Files: map[string][]byte{"x": []byte("1")}, Message: msg})
	require.NoError(t, err)
	require.True(t, ok)

	got, err := r.Message(c)
	require.NoError(t, err)
	assert.Equal(t, msg, got)
	raw := runGit(t, dir, "cat-file", "commit", "HEAD") + "\n"
	assert.True(t, strings.HasSuffix(raw, "\n\n"+msg), "raw commit ends with the message")
	assert.Equal(t, "secret: rotate db/password", c.Subject)
	assert.Equal(t, []Trailer{
		{"Secretsctl-Resource", "db"},
		{"Secretsctl-Reason", "scheduled rotation"},
		{"Signed-off-by", "A <a@example.com>"},
	}, Trailers(got))
	assert.Equal(t, "Secretsctl-Resource: db\nSecretsctl-Reason: scheduled rotation\nSigned-off-by: A <a@example.com>",
		runGit(t, dir, "log", "-1", "--format=%(trailers:only,unfold)"))
	requireClean(t, dir)
}

func TestApplyRejectsInvalidChanges(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"d/f": "x"})
	for name, ch := range map[string]Change{
		"empty message":  {Files: map[string][]byte{"a": nil}},
		"absolute":       {Files: map[string][]byte{"/a": nil}, Message: "m"},
		"dot dot":        {Files: map[string][]byte{"a/../../b": nil}, Message: "m"},
		"git dir":        {Files: map[string][]byte{".git/config": nil}, Message: "m"},
		"git dir upper":  {Files: map[string][]byte{"x/.GIT/hooks": nil}, Message: "m"},
		"trailing slash": {Files: map[string][]byte{"a/": nil}, Message: "m"},
		"both":           {Files: map[string][]byte{"a": nil}, Delete: []string{"a"}, Message: "m"},
		"write dir":      {Files: map[string][]byte{"d": nil}, Message: "m"},
		"delete dir":     {Delete: []string{"d"}, Message: "m"},
		"bad author":     {Files: map[string][]byte{"a": nil}, Message: "m", Author: Signature{"X <y>", "x@y"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, ok, err := r.Apply(context.Background(), ch)
			assert.Error(t, err)
			assert.False(t, ok)
		})
	}
	assert.Equal(t, "1", runGit(t, dir, "rev-list", "--count", "HEAD"))
	requireClean(t, dir)
}

func TestApplyAuthor(t *testing.T) {
	r, dir := testRepo(t)
	ctx := context.Background()
	commit := func(t *testing.T, author Signature) (Commit, error) {
		t.Helper()
		c, _, err := r.Apply(ctx, Change{Files: map[string][]byte{"f": []byte(t.Name())}, Message: "m", Author: author})
		return c, err
	}

	t.Run("global config", func(t *testing.T) {
		c, err := commit(t, Signature{})
		require.NoError(t, err)
		assert.Equal(t, "Global Tester <global@example.com>", c.Author+" <"+c.Email+">")
	})
	t.Run("repository config wins", func(t *testing.T) {
		runGit(t, dir, "config", "user.name", "Repo Person")
		c, err := commit(t, Signature{})
		require.NoError(t, err)
		assert.Equal(t, "Repo Person <global@example.com>", c.Author+" <"+c.Email+">")
		assert.Equal(t, "Repo Person|global@example.com|Repo Person|global@example.com",
			runGit(t, dir, "log", "-1", "--format=%an|%ae|%cn|%ce"))
	})
	t.Run("explicit author wins", func(t *testing.T) {
		c, err := commit(t, Signature{Name: "Explicit", Email: "e@example.com"})
		require.NoError(t, err)
		assert.Equal(t, "Explicit <e@example.com>", c.Author+" <"+c.Email+">")
	})
	t.Run("xdg config", func(t *testing.T) {
		runGit(t, dir, "config", "--unset", "user.name")
		home := t.TempDir()
		t.Setenv("HOME", home)
		t.Setenv("GIT_CONFIG_GLOBAL", "")
		t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "xdg"))
		writeWT(t, home, "xdg/git/config", "[user]\n\tname = Xdg Person\n\temail = xdg@example.com\n")
		c, err := commit(t, Signature{})
		require.NoError(t, err)
		assert.Equal(t, "Xdg Person <xdg@example.com>", c.Author+" <"+c.Email+">")
	})
	t.Run("none", func(t *testing.T) {
		t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "missing"))
		_, err := commit(t, Signature{})
		assert.ErrorContains(t, err, "user.name")
		assert.ErrorContains(t, err, "--author")
	})
	requireClean(t, dir)
}
