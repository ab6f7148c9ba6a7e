package gitrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packedRepo makes a repository whose files changed a little in every one
// of many commits, so that git's repack stores most blobs as deltas.
func packedRepo(t *testing.T) (*Repo, string) {
	t.Helper()
	r, dir := testRepo(t)
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "line %d: %s\n", i, strings.Repeat("x", i))
		writeWT(t, dir, "grow.yaml", b.String())
		writeWT(t, dir, fmt.Sprintf("ledger/%02d.yaml", i), fmt.Sprintf("event %d\n%s", i, b.String()[:i*3]))
		runGit(t, dir, "add", "-A")
		runGit(t, dir, "commit", "-q", "-m", fmt.Sprintf("c%d", i))
	}
	return r, dir
}

// allBlobs lists the blobs in the repository with git cat-file.
func allBlobs(t *testing.T, dir string) []plumbing.Hash {
	t.Helper()
	var hs []plumbing.Hash
	for _, l := range strings.Split(runGit(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname)"), "\n") {
		if typ, h, _ := strings.Cut(l, " "); typ == "blob" {
			hs = append(hs, plumbing.NewHash(h))
		}
	}
	return hs
}

// requireBlobsAsGit reads every blob through a fresh packSet and compares
// it with git cat-file, returning how many came from the packs.
func requireBlobsAsGit(t *testing.T, r *Repo, dir string) int {
	t.Helper()
	s := &packSet{dir: filepath.Join(r.commonDir, "objects", "pack")}
	n := 0
	blobs := allBlobs(t, dir)
	require.NotEmpty(t, blobs)
	for _, h := range blobs {
		b, err := s.readBlob(h)
		if err == errNotInPacks {
			continue
		}
		require.NoError(t, err, h.String())
		require.Equal(t, runGit(t, dir, "cat-file", "blob", h.String()), strings.TrimRight(string(b), "\n"), h.String())
		n++
	}
	return n
}

func TestPackReaderMatchesGit(t *testing.T) {
	for name, repack := range map[string][]string{
		"offset deltas":    {"repack", "-a", "-d", "-f", "--depth=50", "--window=50"},
		"reference deltas": {"-c", "repack.usedeltabaseoffset=false", "repack", "-a", "-d", "-f", "--depth=50", "--window=50"},
		"no deltas":        {"repack", "-a", "-d", "-f", "--window=0"},
	} {
		t.Run(name, func(t *testing.T) {
			r, dir := packedRepo(t)
			runGit(t, dir, repack...)
			require.Contains(t, runGit(t, dir, "count-objects", "-v"), "count: 0", "everything packed")
			assert.Equal(t, len(allBlobs(t, dir)), requireBlobsAsGit(t, r, dir))
			if name != "no deltas" {
				assert.Contains(t, runGit(t, dir, "verify-pack", "-v", packPath(t, r)+".idx"), "chain length = 2")
			}
		})
	}
}

func TestPackReaderLargeOffsets(t *testing.T) {
	r, dir := packedRepo(t)
	runGit(t, dir, "repack", "-a", "-d", "-f")
	p := packPath(t, r)
	// Rewrite the .idx with every object past offset 64 in the 64-bit table.
	require.NoError(t, os.Remove(p+".idx"))
	runGit(t, dir, "index-pack", "--index-version=2,64", p+".pack")
	assert.Equal(t, len(allBlobs(t, dir)), requireBlobsAsGit(t, r, dir))
}

func TestPackReaderLeavesLooseObjectsToGoGit(t *testing.T) {
	r, dir := packedRepo(t)
	runGit(t, dir, "repack", "-a", "-d")
	apply(t, r, map[string]string{"loose.yaml": "loose"})
	h := plumbing.NewHash(runGit(t, dir, "rev-parse", "HEAD:loose.yaml"))
	s := &packSet{dir: filepath.Join(r.commonDir, "objects", "pack")}
	_, err := s.readBlob(h)
	assert.ErrorIs(t, err, errNotInPacks)
	b, err := r.readBlob(h)
	require.NoError(t, err)
	assert.Equal(t, "loose", string(b))

	// A repack while the Repo is open: the new pack is found.
	runGit(t, dir, "repack", "-a", "-d")
	b, err = r.readBlob(h)
	require.NoError(t, err)
	assert.Equal(t, "loose", string(b))
	_, err = r.packs.readBlob(h)
	assert.NoError(t, err, "read from the new pack")
}

func TestPackReaderRefusesCorruptObjects(t *testing.T) {
	r, dir := packedRepo(t)
	runGit(t, dir, "repack", "-a", "-d", "-f", "--window=0") // no deltas: each blob stands alone
	p := packPath(t, r) + ".pack"
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(p, 0o644))
	for i := 12; i < len(data)-20; i += 97 { // flip bits all over the pack
		data[i] ^= 0x5a
	}
	require.NoError(t, os.WriteFile(p, data, 0o644))
	s := &packSet{dir: filepath.Dir(p)}
	bad := 0
	for _, h := range allBlobsFromIdx(t, r) {
		b, err := s.readBlob(h)
		if err == nil {
			assert.Equal(t, h, plumbing.ComputeHash(plumbing.BlobObject, b), "a blob returned matches its id")
			continue
		}
		bad++
	}
	assert.NotZero(t, bad, "corruption is reported")
}

// allBlobsFromIdx lists the object ids in the pack's index (git cat-file
// would choke on the corrupt pack); the non-blobs among them fail too.
func allBlobsFromIdx(t *testing.T, r *Repo) []plumbing.Hash {
	t.Helper()
	p := openPackIndex(packPath(t, r)+".idx", packPath(t, r)+".pack")
	require.NotNil(t, p)
	hs := make([]plumbing.Hash, p.count)
	for i := range hs {
		copy(hs[i][:], p.idx[1032+20*i:])
	}
	return hs
}

// packPath returns the repository's only pack, without extension.
func packPath(t *testing.T, r *Repo) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(r.commonDir, "objects", "pack", "*.idx"))
	require.NoError(t, err)
	require.Len(t, m, 1)
	return strings.TrimSuffix(m[0], ".idx")
}

// FuzzApplyDelta checks that arbitrary deltas and pack object headers
// never panic and that a delta's result has the size it announces.
func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("base content"), []byte{12, 5, 0x91, 0, 4, 1, '!'})
	f.Add([]byte(""), []byte{0, 1, 1, 'a'})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		objectHeader(delta)
		deltaBaseOffset(delta)
		out, err := applyDelta(base, delta)
		if err != nil {
			return
		}
		_, rest, _ := deltaSize(delta)
		want, _, _ := deltaSize(rest)
		require.Equal(t, want, uint64(len(out)))
	})
}

func TestPackCacheStaysInBounds(t *testing.T) {
	p := &packFile{}
	for i := range 40 {
		p.remember(int64(i), plumbing.BlobObject, make([]byte, maxPackCache/7))
		assert.LessOrEqual(t, p.cacheBytes, maxPackCache)
	}
	total := 0
	for _, c := range p.cache {
		total += len(c.data)
	}
	assert.Equal(t, total, p.cacheBytes)
	p.remember(99, plumbing.BlobObject, make([]byte, maxPackCache/2))
	assert.NotContains(t, p.cache, int64(99), "an object too large for the cache is not kept")
}

func TestPackReaderAfterGitGC(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a.yaml": "in the first pack"})
	runGit(t, dir, "repack", "-d")
	apply(t, r, map[string]string{"b.yaml": "in the second pack"})
	runGit(t, dir, "repack", "-d")
	a := plumbing.NewHash(runGit(t, dir, "rev-parse", "HEAD:a.yaml"))
	b := plumbing.NewHash(runGit(t, dir, "rev-parse", "HEAD:b.yaml"))
	got, err := r.readBlob(a) // lists both packs, opens one
	require.NoError(t, err)
	require.Equal(t, "in the first pack", string(got))
	require.Len(t, r.packs.packs, 2)

	runGit(t, dir, "gc", "-q", "--prune=now") // both packs replaced by one
	got, err = r.readBlob(b)
	require.NoError(t, err)
	assert.Equal(t, "in the second pack", string(got))
	got, err = r.readBlob(a)
	require.NoError(t, err)
	assert.Equal(t, "in the first pack", string(got))
}
