package gitrepo

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMergeBase checks the merge base against git's own on a branch whose
// main moved on after the branch point, and an unrelated history.
func TestMergeBase(t *testing.T) {
	r, dir := testRepo(t)
	fork := apply(t, r, map[string]string{"a.yaml": "v1"})
	runGit(t, dir, "checkout", "-q", "-b", "feature")
	apply(t, r, map[string]string{"b.yaml": "feature"})
	runGit(t, dir, "checkout", "-q", "main")
	apply(t, r, map[string]string{"a.yaml": "v2"})

	base, err := r.MergeBase("main", "feature")
	require.NoError(t, err)
	assert.Equal(t, fork.Hash, base.Hash)
	assert.Equal(t, runGit(t, dir, "merge-base", "main", "feature"), base.Hash, "as git merge-base")
	same, err := r.MergeBase("feature", "feature~1")
	require.NoError(t, err)
	assert.Equal(t, fork.Hash, same.Hash, "an ancestor is its own merge base")

	runGit(t, dir, "checkout", "-q", "--orphan", "other")
	apply(t, r, map[string]string{"c.yaml": "unrelated"})
	_, err = r.MergeBase("main", "other")
	assert.True(t, errors.Is(err, ErrNoMergeBase), "%v", err)
	_, err = r.MergeBase("main", "nope")
	assert.True(t, errors.Is(err, ErrUnknownRevision), "%v", err)
}
