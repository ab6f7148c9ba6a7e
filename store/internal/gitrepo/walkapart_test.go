package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
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

// TestPackSetReadsEveryObjectType reads every object of a gc'ed
// repository (commits, trees, delta-compressed blobs) with readObject, as
// WalkApart reads commits, and with go-git's storage: same type and bytes.
func TestPackSetReadsEveryObjectType(t *testing.T) {
	r, _, _ := packedLedger(t)
	ps := &packSet{dir: r.packs.dir}
	ids := strings.Fields(runGit(t, r.Root(), "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"))
	types := map[plumbing.ObjectType]int{}
	for _, id := range ids {
		h := plumbing.NewHash(id)
		typ, got, err := ps.readObject(h)
		if errors.Is(err, errNotInPacks) {
			continue // loose: go-git reads it
		}
		require.NoError(t, err, "object %s", h)
		o, err := r.objectLocked(plumbing.AnyObject, h)
		require.NoError(t, err)
		require.Equal(t, o.Type(), typ, "object %s", h)
		rd, err := o.Reader()
		require.NoError(t, err)
		want, err := io.ReadAll(rd)
		require.NoError(t, err)
		require.Equal(t, want, got, "object %s", h)
		types[typ]++
	}
	require.Positive(t, types[plumbing.CommitObject])
	require.Positive(t, types[plumbing.TreeObject])
	require.Greater(t, types[plumbing.BlobObject], 250)
}
