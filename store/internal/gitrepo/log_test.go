package gitrepo

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLog(t *testing.T) {
	r, _ := testRepo(t)
	c1 := apply(t, r, map[string]string{"a/x": "1", "b/y": "1"})
	c2 := apply(t, r, map[string]string{"b/y": "2"})
	c3 := apply(t, r, map[string]string{"a/x": "3"})
	c4 := apply(t, r, map[string]string{"c": "4"}, "b/y")
	head := mustResolve(t, r, "HEAD")

	hashes := func(cs []Commit) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Hash)
		}
		return out
	}
	for name, tc := range map[string]struct {
		prefixes []string
		limit    int
		want     []Commit
	}{
		"all":              {nil, 0, []Commit{c4, c3, c2, c1}},
		"limit":            {nil, 2, []Commit{c4, c3}},
		"dir a":            {[]string{"a"}, 0, []Commit{c3, c1}},
		"dir b with slash": {[]string{"b/"}, 0, []Commit{c4, c2, c1}},
		"file":             {[]string{"b/y"}, 1, []Commit{c4}},
		"two prefixes":     {[]string{"a", "c"}, 0, []Commit{c4, c3, c1}},
		"nothing":          {[]string{"zzz"}, 0, nil},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := r.Log(head, tc.prefixes, tc.limit)
			require.NoError(t, err)
			assert.Equal(t, hashes(tc.want), hashes(got))
		})
	}

	older, err := r.Log(c2, []string{"a"}, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{c1.Hash}, hashes(older), "starting at an older commit")
}

func TestLogMatchesGit(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"s/a": "1", "t/b": "1"})
	runGit(t, dir, "checkout", "-q", "-b", "side")
	apply(t, r, map[string]string{"s/a": "side"})
	runGit(t, dir, "checkout", "-q", "main")
	apply(t, r, map[string]string{"t/b": "main"})
	runGit(t, dir, "merge", "-q", "--no-edit", "side")
	apply(t, r, map[string]string{"s/c": "after merge"})

	head := mustResolve(t, r, "HEAD")
	for _, prefix := range []string{"s", "t", "s/a"} {
		got, err := r.Log(head, []string{prefix}, 0)
		require.NoError(t, err)
		var hs []string
		for _, c := range got {
			hs = append(hs, c.Hash)
		}
		// Commits made in the same second have no defined order: compare sets.
		assert.ElementsMatch(t, strings.Split(runGit(t, dir, "log", "--format=%H", "--", prefix), "\n"), hs, prefix)
	}
	_, _, err := r.Apply(context.Background(), Change{Message: "m"})
	require.NoError(t, err)
	requireClean(t, dir)
}
