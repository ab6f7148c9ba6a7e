package gitrepo

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestApplyUnchangedAllowsUnrelatedMoves: a change computed at an older
// commit lands on top of the branch when the guarded paths did not change,
// and fails with ErrConcurrentUpdate when they did.
func TestApplyUnchangedAllowsUnrelatedMoves(t *testing.T) {
	r, dir := testRepo(t)
	base := apply(t, r, map[string]string{"deployments/s/a/1.yaml": "a1", "other.txt": "x"})
	apply(t, r, map[string]string{"deployments/s/b/1.yaml": "b1", "other.txt": "y"})
	c, ok, err := r.Apply(context.Background(), Change{Files: map[string][]byte{"deployments/s/a/2.yaml": []byte("a2")},
		Message: "event\n", Parent: base.Hash, Unchanged: []string{"deployments/s/a"}})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "y", runGit(t, dir, "show", c.Hash+":other.txt"), "applied on top of the moved branch")
	assert.Equal(t, "b1", runGit(t, dir, "show", c.Hash+":deployments/s/b/1.yaml"))
	requireClean(t, dir)

	_, _, err = r.Apply(context.Background(), Change{Files: map[string][]byte{"deployments/s/a/3.yaml": []byte("a3")},
		Message: "event\n", Parent: base.Hash, Unchanged: []string{"deployments/s/a"}})
	require.ErrorIs(t, err, ErrConcurrentUpdate, "the guarded folder changed since base")
	_, _, err = r.Apply(context.Background(), Change{Files: map[string][]byte{"z": []byte("z")}, Message: "m\n", Parent: base.Hash})
	require.ErrorIs(t, err, ErrConcurrentUpdate, "without Unchanged any move is a conflict")
}

// TestStaleLockOfDeadWriterIsRemoved: an index.lock a killed secretsctl
// left (it has a twin) is removed by the next writer; one git made is not.
func TestStaleLockOfDeadWriterIsRemoved(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "1"})
	lock := filepath.Join(dir, ".git", "index.lock")
	twin := filepath.Join(dir, ".git", "index.secretsctl-999999.lock")
	require.NoError(t, os.WriteFile(twin, nil, 0o644))
	require.NoError(t, os.Link(twin, lock))
	apply(t, r, map[string]string{"a": "2"})
	assert.NoFileExists(t, lock)
	assert.NoFileExists(t, twin)
	requireClean(t, dir)

	require.NoError(t, os.WriteFile(lock, nil, 0o644)) // git's own: no twin
	_, _, err := r.Apply(context.Background(), Change{Files: map[string][]byte{"a": []byte("3")}, Message: "m\n"})
	require.ErrorContains(t, err, "another git process seems to be running")
	assert.FileExists(t, lock)
}
