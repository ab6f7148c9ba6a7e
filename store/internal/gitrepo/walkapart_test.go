package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// packedLedger makes a repository with 300 similar files in 6 directories,
// packed by git gc (so most are deltas of one another), and 20 more in a
// later commit left loose; it returns the tree at HEAD and the file names.
func packedLedger(t *testing.T) (*Repo, *Tree, []string) {
	t.Helper()
	r, dir := testRepo(t)
	files := map[string]string{}
	var names []string
	for d := range 6 {
		for i := range 50 {
			name := fmt.Sprintf("deployments/s/d%d/%06d-issue.yaml", d, i)
			files[name] = fmt.Sprintf("kind: ledger-event\ndeployment: d%d\nseq: %d\n%s", d, i, strings.Repeat("padding line that deltas well\n", 40))
			names = append(names, name)
		}
	}
	apply(t, r, files)
	runGit(t, dir, "gc", "-q", "--aggressive")
	more := map[string]string{}
	for i := range 20 {
		name := fmt.Sprintf("deployments/s/loose/%06d-rotate.yaml", i)
		more[name] = fmt.Sprintf("kind: ledger-event\nloose: %d\n", i)
		names = append(names, name)
	}
	c := apply(t, r, more)
	tree, err := r.Tree(c)
	require.NoError(t, err)
	return r, tree, names
}

func TestWalkApartMatchesWalk(t *testing.T) {
	r, _, _ := packedLedger(t)
	head, err := r.Head()
	require.NoError(t, err)
	collect := func(walk func(Commit, func(Commit, []Trailer) error) error) []Commit {
		var out []Commit
		require.NoError(t, walk(head, func(c Commit, _ []Trailer) error {
			out = append(out, c)
			return nil
		}))
		return out
	}
	want := collect(r.Walk)
	require.Len(t, want, 2)
	require.Equal(t, want, collect(r.WalkApart))
}

func TestReadFilesApartMatchesReadFile(t *testing.T) {
	_, tree, names := packedLedger(t)
	for _, workers := range []int{1, 2, 3, 7} {
		got := make([]string, len(names))
		require.NoError(t, tree.ReadFilesApart(names, workers, func(i int, data []byte) error {
			got[i] = string(data)
			return nil
		}))
		for i, name := range names {
			want, err := tree.ReadFile(name)
			require.NoError(t, err)
			require.Equal(t, string(want), got[i], "%s with %d workers", name, workers)
		}
	}
}

func TestReadFilesApartStopsOnError(t *testing.T) {
	_, tree, names := packedLedger(t)
	err := tree.ReadFilesApart(append(names, "deployments/s/missing.yaml"), 2, func(int, []byte) error { return nil })
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, "missing.yaml")

	boom := errors.New("boom")
	err = tree.ReadFilesApart(names, 3, func(i int, _ []byte) error {
		if i == len(names)-1 {
			return boom
		}
		return nil
	})
	require.ErrorIs(t, err, boom)
}
