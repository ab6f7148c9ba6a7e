package gitrepo

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIndexPaths lists what git's index holds, as git ls-files does:
// committed and staged files, not untracked or ignored ones.
func TestIndexPaths(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"secrets/a.yaml": "a", "secrets/plans/p.json": "{}", "other/b.txt": "b"})
	writeWT(t, dir, "secrets/staged.env", "X=1")
	writeWT(t, dir, "secrets/untracked.env", "X=1")
	writeWT(t, dir, ".gitignore", "ignored.env\n")
	writeWT(t, dir, "secrets/ignored.env", "X=1")
	runGit(t, dir, "add", "secrets/staged.env")

	got, err := r.IndexPaths("secrets")
	require.NoError(t, err)
	assert.Equal(t, []string{"secrets/a.yaml", "secrets/plans/p.json", "secrets/staged.env"}, got)
	all, err := r.IndexPaths("")
	require.NoError(t, err)
	assert.Equal(t, []string{"other/b.txt", "secrets/a.yaml", "secrets/plans/p.json", "secrets/staged.env"}, all)
	assert.Equal(t, runGit(t, dir, "ls-files"), "other/b.txt\nsecrets/a.yaml\nsecrets/plans/p.json\nsecrets/staged.env", "as git ls-files")
}
