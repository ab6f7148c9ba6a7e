package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// test that a replica clones, fast-forwards, fetches tags, refuses a
// rewritten history (keeping what it had) and never writes to the remote.
func TestReplicaFollowsRemote(t *testing.T) {
	work := storetest.NewExample(t)
	bare := filepath.Join(t.TempDir(), "store.git")
	storetest.Git(t, filepath.Dir(bare), "clone", "-q", "--bare", work, bare)
	ctx := context.Background()

	rep, err := store.OpenReplica("file://"+bare, filepath.Join(t.TempDir(), "replica"), store.Options{})
	require.NoError(t, err)
	_, err = rep.Store().Head()
	assert.ErrorIs(t, err, store.ErrNotFound, "no commit before the first sync")

	first := storetest.Git(t, work, "rev-parse", "HEAD")
	rev, err := rep.Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, first, rev.Hash)
	sn, err := rep.Store().Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	assert.Contains(t, sn.ScenarioNames(), "picker-wheel")

	require.NoError(t, os.WriteFile(filepath.Join(work, "NOTES.md"), []byte("one\n"), 0o644))
	storetest.Git(t, work, "add", "NOTES.md")
	storetest.Git(t, work, "commit", "-q", "-m", "one")
	storetest.Git(t, work, "tag", "v1")
	storetest.Git(t, work, "push", "-q", "--tags", bare, "main")
	second := storetest.Git(t, work, "rev-parse", "HEAD")
	rev, err = rep.Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, second, rev.Hash, "fast-forwarded")
	refs, err := rep.Store().Refs()
	require.NoError(t, err)
	assert.Equal(t, []store.Ref{{Name: "v1", Commit: second}}, refs.Tags)
	assert.Equal(t, "main", refs.Branch)

	storetest.Git(t, work, "commit", "-q", "--amend", "-m", "rewritten")
	storetest.Git(t, work, "push", "-q", "--force", bare, "main")
	_, err = rep.Sync(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a fast-forward")
	head, err := rep.Store().Head()
	require.NoError(t, err)
	assert.Equal(t, second, head.Hash, "the replica keeps its history")

	require.NoError(t, os.Rename(bare, bare+".gone"))
	_, err = rep.Sync(ctx)
	require.Error(t, err, "a missing remote is an error")
	head, err = rep.Store().Head()
	require.NoError(t, err)
	assert.Equal(t, second, head.Hash)
}

// test that a password in a remote URL is not shown.
func TestRedactURL(t *testing.T) {
	assert.Equal(t, "https://xxxxx@git.example.com/s.git", store.RedactURL("https://bot:hunter2@git.example.com/s.git"))
	assert.Equal(t, "https://xxxxx@github.com/o/s.git", store.RedactURL("https://ghp_token123@github.com/o/s.git"), "a token as the user name")
	assert.Equal(t, "(unparsable remote URL)", store.RedactURL("https://tok:en@host:bad port/"))
	assert.Equal(t, "git://127.0.0.1:9418/s.git", store.RedactURL("git://127.0.0.1:9418/s.git"))
}
