package gitrepo

import (
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
	idx     *indexFile
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

// readIndex decodes an index file; a missing one is an empty index.
func readIndex(p string) (*indexFile, error) {
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &indexFile{version: 2}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	idx, err := parseIndex(data)
	if err != nil {
		return nil, fmt.Errorf("read index %s: %w", p, err)
	}
	return idx, nil
}

// checkMerged refuses an index with conflict stages: the user is in the
// middle of a merge, as git commit would also refuse.
func checkMerged(idx *indexFile) error {
	for _, e := range idx.entries {
		if e.stage() != 0 {
			return fmt.Errorf("the index has unmerged paths (such as %s): finish or abort the merge first", e.name)
		}
	}
	return nil
}

// stagedEntries collects the index entries of the given paths.
func stagedEntries(idx *indexFile, paths map[string]bool) map[string][]indexRecord {
	m := map[string][]indexRecord{}
	for _, e := range idx.entries {
		if paths[string(e.name)] {
			m[string(e.name)] = append(m[string(e.name)], e)
		}
	}
	return m
}

// staged returns the blob id the index holds for a path given its entries:
// zero when there is none, and ok=false when they are not one plain staged
// file (intent-to-add, conflict stages).
func staged(entries []indexRecord) (h plumbing.Hash, ok bool) {
	switch {
	case len(entries) == 0:
		return plumbing.ZeroHash, true
	case len(entries) > 1 || entries[0].stage() != 0 || entries[0].intentToAdd():
		return plumbing.ZeroHash, false
	}
	return entries[0].hash(), true
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
	u.idx.replace(touched)
}

// write encodes the index into the lock file and renames it into place.
func (u *indexUpdate) write() error {
	if _, err := u.lock.f.Write(u.idx.encode()); err != nil {
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
