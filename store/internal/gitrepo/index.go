package gitrepo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// An indexUpdate holds git's index lock from before the commit until the
// work tree and the index entries of the changed paths are brought in line
// with it. Holding index.lock keeps git commands from writing the index (and
// from staging or committing) meanwhile.
type indexUpdate struct {
	r       *Repo
	lock    *lockFile
	idx     *index.Index
	changes []change
}

// lockIndex takes the index lock, reads the index and checks that every
// changed path is clean, so that nothing the user has not committed is lost.
func (r *Repo) lockIndex(ctx context.Context, changes []change) (*indexUpdate, error) {
	p := filepath.Join(r.gitDir, "index")
	lock, err := createLockFile(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("lock index: %w", err)
	}
	idx, err := readIndex(p)
	if err == nil {
		err = checkMerged(idx)
	}
	if err != nil {
		lock.rollback()
		return nil, err
	}
	u := &indexUpdate{r: r, lock: lock, idx: idx, changes: changes}
	if err := u.checkClean(); err != nil {
		lock.rollback()
		return nil, err
	}
	return u, nil
}

// rollback releases the index lock without writing; nil-safe, and a no-op
// after apply.
func (u *indexUpdate) rollback() {
	if u != nil {
		u.lock.rollback()
	}
}

// readIndex decodes an index file with go-git's codec (versions 2 to 4); a
// missing one is an empty index. An index with a mandatory extension go-git
// does not know (split index "link", sparse index "sdir") is refused.
func readIndex(p string) (*index.Index, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &index.Index{Version: 2}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	defer f.Close()
	idx := &index.Index{}
	err = index.NewDecoder(bufio.NewReader(f)).Decode(idx)
	if errors.Is(err, index.ErrUnknownExtension) {
		return nil, fmt.Errorf("read index %s: it has a mandatory extension secretsctl cannot keep (a split index or a sparse index): run `git update-index --no-split-index`, or `git sparse-checkout init --no-sparse-index`, first: %w", p, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read index %s: %w", p, err)
	}
	return idx, nil
}

// checkMerged refuses an index with conflict stages: the user is in the
// middle of a merge, as git commit would also refuse.
func checkMerged(idx *index.Index) error {
	for _, e := range idx.Entries {
		if e.Stage != 0 {
			return fmt.Errorf("the index has unmerged paths (such as %s): finish or abort the merge first", e.Name)
		}
	}
	return nil
}

// stagedEntries collects the index entries of the given paths.
func stagedEntries(idx *index.Index, paths map[string]bool) map[string][]*index.Entry {
	m := map[string][]*index.Entry{}
	for _, e := range idx.Entries {
		if paths[e.Name] {
			m[e.Name] = append(m[e.Name], e)
		}
	}
	return m
}

// staged returns the blob id the index holds for a path given its entries:
// zero when there is none, and ok=false when they are not one plain staged
// file (intent-to-add, conflict stages).
func staged(entries []*index.Entry) (h plumbing.Hash, ok bool) {
	switch {
	case len(entries) == 0:
		return plumbing.ZeroHash, true
	case len(entries) > 1 || entries[0].Stage != 0 || entries[0].IntentToAdd:
		return plumbing.ZeroHash, false
	}
	return entries[0].Hash, true
}

// apply writes the changed files, then the index with their entries replaced
// or removed, and releases the lock by renaming it over the index.
func (u *indexUpdate) apply() error {
	defer u.lock.rollback()
	touched := map[string]*index.Entry{}
	for _, c := range u.changes {
		if c.delete {
			touched[c.path] = nil
			if err := u.r.removeFile(c.path); err != nil {
				return err
			}
		}
	}
	for _, c := range u.changes {
		if !c.delete {
			e, err := u.r.writeFile(c)
			if err != nil {
				return err
			}
			touched[c.path] = e
		}
	}
	u.replaceEntries(touched)
	return u.write()
}

// replaceEntries drops every index entry of the touched paths and adds the
// non-nil new ones. The index's optional extensions (the cached tree among
// them), stale now, are not written; git rebuilds them.
func (u *indexUpdate) replaceEntries(touched map[string]*index.Entry) {
	kept := u.idx.Entries[:0]
	for _, e := range u.idx.Entries {
		if _, ok := touched[e.Name]; !ok {
			kept = append(kept, e)
		}
	}
	for _, e := range touched {
		if e != nil {
			kept = append(kept, e)
		}
	}
	u.idx.Entries = kept
	u.idx.Cache, u.idx.ResolveUndo, u.idx.EndOfIndexEntry = nil, nil, nil
}

// write encodes the index into the lock file and renames it into place.
func (u *indexUpdate) write() error {
	w := bufio.NewWriter(u.lock.f)
	if err := index.NewEncoder(w).Encode(u.idx); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	if err := u.lock.commit(); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return nil
}

// indexEntry describes a file just written to the work tree.
func indexEntry(c change, fi os.FileInfo) *index.Entry {
	e := &index.Entry{
		Hash:       c.new,
		Name:       c.path,
		Mode:       filemode.Regular,
		ModifiedAt: fi.ModTime(),
		CreatedAt:  fi.ModTime(),
		Size:       uint32(fi.Size()),
	}
	fillStat(e, fi)
	return e
}
