package gitrepo

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// indexSetups prepare repositories whose index git itself wrote in each
// shape Apply must keep (through go-git's index codec): every version, the
// cache tree, the untracked cache, extended flags (intent-to-add,
// skip-worktree) and assume-unchanged.
var indexSetups = map[string]func(t testing.TB, dir string){
	"v2 with cache tree": func(t testing.TB, dir string) {},
	"v3 intent-to-add and skip-worktree": func(t testing.TB, dir string) {
		writeWT(t, dir, "deployments/new/intent.yaml", "later")
		runGit(t, dir, "add", "-N", "deployments/new/intent.yaml")
		runGit(t, dir, "update-index", "--skip-worktree", "docs/readme.md")
	},
	"v4 prefix-compressed": func(t testing.TB, dir string) {
		runGit(t, dir, "update-index", "--index-version", "4")
	},
	"v4 with extended flags": func(t testing.TB, dir string) {
		runGit(t, dir, "update-index", "--index-version", "4")
		runGit(t, dir, "update-index", "--skip-worktree", "docs/readme.md")
	},
	"untracked cache and assume-unchanged": func(t testing.TB, dir string) {
		runGit(t, dir, "update-index", "--untracked-cache")
		runGit(t, dir, "status", "--porcelain")
		runGit(t, dir, "update-index", "--assume-unchanged", "docs/readme.md")
	},
}

// gitIndexRepo makes a repository with nested ledger-like files committed
// by git (so its index has a cache tree), then applies setup.
func gitIndexRepo(t testing.TB, setup func(testing.TB, string)) (*Repo, string) {
	t.Helper()
	r, dir := testRepo(t)
	for i := range 40 {
		writeWT(t, dir, fmt.Sprintf("deployments/s/d%02d/%03d.sops.yaml", i%7, i), fmt.Sprintf("event %d", i))
	}
	writeWT(t, dir, "a.yaml", "a")
	writeWT(t, dir, "docs/readme.md", "readme")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "by git")
	setup(t, dir)
	return r, dir
}

func TestApplyKeepsGitIndexFormats(t *testing.T) {
	for name, setup := range indexSetups {
		t.Run(name, func(t *testing.T) {
			r, dir := gitIndexRepo(t, setup)
			version := indexVersion(t, r)
			flags := runGit(t, dir, "ls-files", "-v")
			before := debugEntries(t, dir)

			apply(t, r, map[string]string{
				"deployments/s/d01/001.sops.yaml": "rotated",
				"deployments/s/d09/new.sops.yaml": "issued",
				"a.yaml":                          "a2",
			}, "deployments/s/d02/002.sops.yaml")

			assert.Equal(t, version, indexVersion(t, r), "index version kept")
			assert.Empty(t, runGit(t, dir, "diff", "--cached", "--name-only"), "nothing staged")
			assert.Equal(t, runGit(t, dir, "rev-parse", "HEAD^{tree}"), runGit(t, dir, "write-tree"), "index is HEAD's tree")
			after := debugEntries(t, dir)
			for p, d := range before {
				switch p {
				case "deployments/s/d01/001.sops.yaml", "a.yaml":
					assert.NotEqual(t, d, after[p], p)
				case "deployments/s/d02/002.sops.yaml":
					assert.NotContains(t, after, p)
				default:
					// The assume-unchanged bit (0x8000) is the one flag
					// go-git's codec does not keep.
					d = strings.Replace(d, "flags: 8000", "flags: 0", 1)
					assert.Equal(t, d, after[p], "untouched entry %s keeps its stat data and flags", p)
				}
			}
			assert.Contains(t, after, "deployments/s/d09/new.sops.yaml")
			assert.Len(t, after, len(before), "one entry removed, one added")
			assertFlagsKept(t, flags, runGit(t, dir, "ls-files", "-v"))
			if strings.Contains(name, "intent-to-add") {
				runGit(t, dir, "reset", "-q", "--", "deployments/new/intent.yaml")
				require.NoError(t, os.Remove(filepath.Join(dir, "deployments/new/intent.yaml")))
			}
			if strings.Contains(name, "skip-worktree") || strings.Contains(name, "extended") {
				runGit(t, dir, "update-index", "--no-skip-worktree", "docs/readme.md")
			}
			requireClean(t, dir)
		})
	}
}

// indexVersion reads the version from the index file's header.
func indexVersion(t testing.TB, r *Repo) uint32 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(r.gitDir, "index"))
	require.NoError(t, err)
	require.Greater(t, len(data), 8)
	return binary.BigEndian.Uint32(data[4:8])
}

// debugEntries maps each index path to what git ls-files --debug shows of
// it: stat data, object id and flags.
func debugEntries(t testing.TB, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	var cur string
	for _, line := range strings.Split(runGit(t, dir, "ls-files", "--stage", "--debug"), "\n") {
		if !strings.HasPrefix(line, "  ") {
			cur = line[strings.IndexByte(line, '\t')+1:]
			m[cur] = line
			continue
		}
		m[cur] += "\n" + line
	}
	return m
}

// assertFlagsKept checks that every path still in the index keeps the tag
// git ls-files -v gave it (S skip-worktree, ...). go-git's index codec has
// no assume-unchanged bit: an entry marked so (h) comes back unmarked (H),
// as docs/store-format.md §5.3 says.
func assertFlagsKept(t *testing.T, before, after string) {
	t.Helper()
	tags := map[string]string{}
	for _, l := range strings.Split(after, "\n") {
		tag, p, _ := strings.Cut(l, " ")
		tags[p] = tag
	}
	for _, l := range strings.Split(before, "\n") {
		tag, p, _ := strings.Cut(l, " ")
		if got, ok := tags[p]; ok {
			if tag == "h" {
				tag = "H"
			}
			assert.Equal(t, tag, got, "ls-files -v tag of %s", p)
		}
	}
}

func TestApplyRefusesSplitIndex(t *testing.T) {
	r, dir := gitIndexRepo(t, func(t testing.TB, dir string) {
		runGit(t, dir, "update-index", "--split-index")
	})
	head := runGit(t, dir, "rev-parse", "HEAD")
	_, ok, err := r.Apply(context.Background(), Change{Files: files("a.yaml", "b"), Message: "m"})
	assert.False(t, ok)
	assert.ErrorContains(t, err, "split index")
	assert.Equal(t, head, runGit(t, dir, "rev-parse", "HEAD"), "no commit made")

	runGit(t, dir, "update-index", "--no-split-index")
	apply(t, r, map[string]string{"a.yaml": "b"})
	requireClean(t, dir)
}

func TestApplyRefusesSparseIndex(t *testing.T) {
	r, _ := gitIndexRepo(t, func(t testing.TB, dir string) {
		runGit(t, dir, "sparse-checkout", "set", "--cone", "--sparse-index", "docs")
	})
	data, err := os.ReadFile(filepath.Join(r.gitDir, "index"))
	require.NoError(t, err)
	require.True(t, bytes.Contains(data, []byte("sdir")), "git wrote a sparse index")
	_, ok, err := r.Apply(context.Background(), Change{Files: files("docs/readme.md", "b"), Message: "m"})
	assert.False(t, ok)
	assert.ErrorContains(t, err, "sparse index")
}
