package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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

func TestReadFilesMatchesReadFile(t *testing.T) {
	_, tree, names := packedLedger(t)
	want := make([]string, len(names))
	for i, n := range names {
		b, err := tree.ReadFile(n)
		require.NoError(t, err)
		want[i] = string(b)
	}
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			got := make([]string, len(names))
			var mu sync.Mutex
			calls := 0
			err := tree.ReadFiles(names, workers, func(i int, data []byte) error {
				mu.Lock()
				defer mu.Unlock()
				calls++
				got[i] = string(data)
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, len(names), calls, "one call per file")
			require.Equal(t, want, got)
		})
	}
}

func TestReadFilesReportsTheFirstFailureInOrder(t *testing.T) {
	_, tree, names := packedLedger(t)
	missing := "deployments/s/d9/000000-issue.yaml"
	withMissing := append(append(append([]string{}, names[:150]...), missing), names[150:]...)
	errBad := errors.New("bad event")
	for _, workers := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			// A missing file is the error ReadFile gives for it.
			_, want := tree.ReadFile(missing)
			err := tree.ReadFiles(withMissing, workers, func(int, []byte) error { return nil })
			require.ErrorIs(t, err, fs.ErrNotExist)
			require.EqualError(t, err, want.Error())

			// A failure of fn before the missing file wins over it.
			err = tree.ReadFiles(withMissing, workers, func(i int, _ []byte) error {
				if i == 70 || i == 140 || i == 250 {
					return fmt.Errorf("file %d: %w", i, errBad)
				}
				return nil
			})
			require.EqualError(t, err, "file 70: bad event")

			// After the missing file, it is the missing file.
			err = tree.ReadFiles(withMissing, workers, func(i int, _ []byte) error {
				if i > 150 {
					return errBad
				}
				return nil
			})
			require.EqualError(t, err, want.Error())
		})
	}
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

// TestPackReaderMatchesGoGit reads every object of a gc'ed repository (its
// commits, trees and delta-compressed blobs) with packReader and with
// go-git's storage: same type, same bytes.
func TestPackReaderMatchesGoGit(t *testing.T) {
	r, _, _ := packedLedger(t)
	pr := openPackReader(r.commonDir)
	defer pr.close()
	require.Len(t, pr.packs, 1)
	p := pr.packs[0]
	deltas := 0
	for i := range len(p.offsets) {
		var h plumbing.Hash
		copy(h[:], p.hashes[20*i:])
		typ, got, err := pr.read(h)
		require.NoError(t, err, "object %s", h)
		o, err := r.objectLocked(plumbing.AnyObject, h)
		require.NoError(t, err)
		require.Equal(t, o.Type(), typ, "object %s", h)
		rd, err := o.Reader()
		require.NoError(t, err)
		want, err := io.ReadAll(rd)
		require.NoError(t, err)
		require.Equal(t, want, got, "object %s", h)
		raw, err := p.extent(p.offsets[i], nil)
		require.NoError(t, err)
		if k := plumbing.ObjectType((raw[0] >> 4) & 7); k == plumbing.OFSDeltaObject || k == plumbing.REFDeltaObject {
			deltas++
		}
	}
	require.Greater(t, deltas, 100, "the test pack should hold deltas")

	// A loose object is not in the packs: ReadFiles reads it otherwise.
	loose := runGit(t, r.Root(), "rev-parse", "HEAD:deployments/s/loose/000000-rotate.yaml")
	_, _, err := pr.read(plumbing.NewHash(loose))
	require.ErrorIs(t, err, errNotInPacks)
}

func TestApplyDeltaRejectsCorruptDeltas(t *testing.T) {
	base := []byte("0123456789")
	for name, delta := range map[string][]byte{
		"source size":       {9, 2, 0x90, 2},
		"copy past the end": {10, 4, 0x91, 8, 4},
		"insert past delta": {10, 4, 4, 'a'},
		"reserved opcode":   {10, 1, 0},
		"short output":      {10, 4, 0x90, 2},
		"long output":       {10, 1, 0x90, 2},
	} {
		_, err := applyDelta(base, delta)
		require.Error(t, err, name)
	}
	_, err := applyDelta(base, []byte{10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x90, 2})
	require.Error(t, err, "a huge destination size is refused, not allocated")
	_, err = inflate([]byte{0x78, 0x9c, 3, 0}, 1<<60)
	require.Error(t, err, "a huge object size is refused, not allocated")
	out, err := applyDelta(base, []byte{10, 5, 0x91, 8, 2, 3, 'x', 'y', 'z'})
	require.NoError(t, err)
	require.Equal(t, "89xyz", string(out[1:]))
}

// TestPackReaderSurvivesCorruptPacks reads every object of a pack whose
// bytes were overwritten at many places: errors, never a panic.
func TestPackReaderSurvivesCorruptPacks(t *testing.T) {
	r, _, _ := packedLedger(t)
	packs, err := filepath.Glob(filepath.Join(r.commonDir, "objects", "pack", "pack-*.pack"))
	require.NoError(t, err)
	require.Len(t, packs, 1)
	idx, err := os.ReadFile(strings.TrimSuffix(packs[0], ".pack") + ".idx")
	require.NoError(t, err)
	good, err := os.ReadFile(packs[0])
	require.NoError(t, err)
	for seed := range 20 {
		dir := t.TempDir()
		packDir := filepath.Join(dir, "objects", "pack")
		require.NoError(t, os.MkdirAll(packDir, 0o755))
		bad := slices.Clone(good)
		for k := 0; k < 40; k++ {
			at := 12 + (seed*7919+k*104729)%(len(bad)-32)
			bad[at] ^= byte(1 + (seed+k)%255)
		}
		require.NoError(t, os.WriteFile(filepath.Join(packDir, "pack-x.idx"), idx, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(packDir, "pack-x.pack"), bad, 0o644))
		pr := openPackReader(dir)
		require.Len(t, pr.packs, 1)
		p := pr.packs[0]
		failed := 0
		for i := range len(p.offsets) {
			var h plumbing.Hash
			copy(h[:], p.hashes[20*i:])
			if _, _, err := pr.read(h); err != nil { // a panic fails the test
				failed++
			}
		}
		pr.close()
		require.Positive(t, failed, "seed %d: the corruption is noticed", seed)
	}
}

func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("0123456789"), []byte{10, 5, 0x91, 8, 2, 3, 'x', 'y', 'z'})
	f.Add([]byte("abc"), []byte{3, 3, 0x90, 3})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		out, err := applyDelta(base, delta)
		if err == nil && len(out) == 0 {
			t.Fatal("a result without its leading byte")
		}
	})
}
