package gitrepo

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// indexSetups prepare repositories whose index git itself wrote in each
// shape the codec must keep: every version, the cache tree, the untracked
// cache, extended flags (intent-to-add, skip-worktree), assume-unchanged and
// a path longer than the 12-bit length field.
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
	"path longer than 4095 bytes": func(t testing.TB, dir string) {
		blob := runGit(t, dir, "rev-parse", "HEAD:a.yaml")
		long := "zz/" + strings.Repeat("d/", 2100) + "long.yaml"
		runGit(t, dir, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+long)
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

func TestIndexCodecReadsWhatGitWrites(t *testing.T) {
	for name, setup := range indexSetups {
		t.Run(name, func(t *testing.T) {
			r, _ := gitIndexRepo(t, setup)
			data, err := os.ReadFile(filepath.Join(r.gitDir, "index"))
			require.NoError(t, err)
			x, err := parseIndex(data)
			require.NoError(t, err)

			var want index.Index
			require.NoError(t, index.NewDecoder(bytes.NewReader(data)).Decode(&want))
			assert.Equal(t, want.Version, x.version)
			require.Len(t, x.entries, len(want.Entries))
			for i, w := range want.Entries {
				e := x.entries[i]
				assert.Equal(t, w.Name, string(e.name))
				assert.Equal(t, w.Hash, e.hash())
				assert.Equal(t, int(w.Stage), e.stage())
				assert.Equal(t, w.IntentToAdd, e.intentToAdd())
			}

			// Re-encoded, the entries are the bytes git wrote; only the
			// extensions (caches) are left out.
			enc := x.encode()
			assert.True(t, bytes.HasPrefix(data, enc[:len(enc)-sha1.Size]), "entries byte-identical")
			again, err := parseIndex(enc)
			require.NoError(t, err)
			assert.Equal(t, x, again)
		})
	}
}

func TestApplyKeepsGitIndexFormats(t *testing.T) {
	for name, setup := range indexSetups {
		if strings.HasPrefix(name, "path longer") {
			continue // a path the work tree cannot hold: git status would report it deleted
		}
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
// git ls-files -v gave it (S skip-worktree, h assume-unchanged, ...).
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

func TestParseIndexRejectsMalformed(t *testing.T) {
	r, _ := gitIndexRepo(t, indexSetups["v2 with cache tree"])
	good, err := os.ReadFile(filepath.Join(r.gitDir, "index"))
	require.NoError(t, err)
	x, err := parseIndex(good)
	require.NoError(t, err)
	resum := func(b []byte) []byte {
		body := b[:len(b)-sha1.Size]
		s := sha1.Sum(body)
		return append(body, s[:]...)
	}
	mutate := func(f func(b []byte) []byte) []byte { return resum(f(bytes.Clone(good))) }
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":     {nil, "no index signature"},
		"signature": {mutate(func(b []byte) []byte { b[0] = 'X'; return b }), "no index signature"},
		"checksum":  {append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1), "checksum mismatch"},
		"version 5": {mutate(func(b []byte) []byte { b[7] = 5; return b }), "unsupported version 5"},
		"count":     {mutate(func(b []byte) []byte { binary.BigEndian.PutUint32(b[8:], 1<<30); return b }), "cannot fit"},
		"truncated": {resum(func() []byte {
			b := bytes.Clone(good[:indexHeaderLen+170])
			binary.BigEndian.PutUint32(b[8:], 2)
			return b
		}()), "entry 1: "},
		"extended flag in v2": {mutate(func(b []byte) []byte {
			b[indexHeaderLen+60] |= 0x40
			return b
		}), "extended flags in a version 2 index"},
		"out of order": {resum(swapFirstEntries(x)), "out of order"},
		"mandatory extension": {resum(append(x.encode()[:len(x.encode())-sha1.Size],
			append([]byte("abcd\x00\x00\x00\x00"), make([]byte, sha1.Size)...)...)), "unknown mandatory extension"},
		"extension overrun": {resum(append(x.encode()[:len(x.encode())-sha1.Size],
			append([]byte("TREE\x00\x00\x01\x00"), make([]byte, sha1.Size)...)...)), "overruns"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := parseIndex(c.data)
			assert.ErrorContains(t, err, c.want)
		})
	}
}

// TestParseIndexSkipHash reads an index whose trailer is all zeros, as git
// writes it with index.skipHash (feature.manyFiles), and an Apply over it
// leaves an index git reads with a real checksum.
func TestParseIndexSkipHash(t *testing.T) {
	r, dir := gitIndexRepo(t, indexSetups["v2 with cache tree"])
	p := filepath.Join(r.gitDir, "index")
	good, err := os.ReadFile(p)
	require.NoError(t, err)
	want, err := parseIndex(good)
	require.NoError(t, err)
	skip := append(bytes.Clone(good[:len(good)-sha1.Size]), make([]byte, sha1.Size)...)
	got, err := parseIndex(skip)
	require.NoError(t, err)
	assert.Equal(t, want.entries, got.entries)

	require.NoError(t, os.WriteFile(p, skip, 0o644))
	apply(t, r, map[string]string{"deployments/s/d09/new.sops.yaml": "issued"})
	written, err := os.ReadFile(p)
	require.NoError(t, err)
	sum := sha1.Sum(written[:len(written)-sha1.Size])
	assert.Equal(t, sum[:], written[len(written)-sha1.Size:], "the rewritten index carries its checksum")
	assert.Empty(t, runGit(t, dir, "diff", "--cached", "--name-only"), "nothing staged")
	requireClean(t, dir)
}

// swapFirstEntries encodes x with its first two entries swapped.
func swapFirstEntries(x *indexFile) []byte {
	y := &indexFile{version: x.version, entries: []indexRecord{x.entries[1], x.entries[0]}}
	y.entries = append(y.entries, x.entries[2:]...)
	return y.encode()
}

func TestOffsetVarint(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 129, 16383, 16384, 16511, 1 << 20, 1<<40 + 7} {
		b := appendOffsetVarint(nil, v)
		got, n := decodeOffsetVarint(b)
		assert.Equal(t, v, got)
		assert.Equal(t, len(b), n)
	}
	_, n := decodeOffsetVarint([]byte{0x80})
	assert.Zero(t, n, "a continuation with nothing after it")
}

// FuzzParseIndex feeds the decoder arbitrary bytes (seeded with indexes git
// wrote): it never panics, and whatever it accepts re-encodes to an index
// it reads back identically, whose encoding is stable.
func FuzzParseIndex(f *testing.F) {
	for _, setup := range indexSetups {
		r, _ := gitIndexRepo(f, setup)
		data, err := os.ReadFile(filepath.Join(r.gitDir, "index"))
		require.NoError(f, err)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Fuzzed bytes rarely carry a valid checksum: fix it up half the time
		// so that the entry and extension parsing is reached.
		if len(data) > sha1.Size && data[len(data)-1]&1 == 0 {
			body := data[:len(data)-sha1.Size]
			s := sha1.Sum(body)
			data = append(bytes.Clone(body), s[:]...)
		}
		x, err := parseIndex(data)
		if err != nil {
			return
		}
		enc := x.encode()
		y, err := parseIndex(enc)
		require.NoError(t, err)
		require.Equal(t, len(x.entries), len(y.entries))
		for i := range x.entries {
			require.Equal(t, x.entries[i].fixed, y.entries[i].fixed)
			require.Equal(t, x.entries[i].name, y.entries[i].name)
		}
		require.Equal(t, enc, y.encode())
	})
}
