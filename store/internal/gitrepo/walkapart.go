package gitrepo

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// fork returns a Repo that reads the same repository's objects through a
// storage of its own (own pack readers and pack index, own lock) with the
// object cache objects, so it can read concurrently with r: go-git's
// storage is not safe for concurrent use, and what the two storages share
// is (the billy filesystem keeps no state beyond its root directory; an
// object cache, if shared, locks itself). It is only for reading objects;
// close it when done.
func (r *Repo) fork(objects cache.Object) (*Repo, error) {
	r.mu.Lock()
	st, ok := r.repo.Storer.(*filesystem.Storage)
	r.mu.Unlock()
	if !ok {
		return nil, errors.New("fork repository: not a filesystem storage")
	}
	s := filesystem.NewStorageWithOptions(st.Filesystem(), objects, filesystem.Options{MaxOpenDescriptors: maxOpenPacks})
	return &Repo{root: r.root, gitDir: r.gitDir, commonDir: r.commonDir, repo: &git.Repository{Storer: s}}, nil
}

// close releases a fork's open pack files.
func (r *Repo) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.repo.Storer
	if ps, ok := st.(*packStorer); ok {
		st = ps.Storer
	}
	if s, ok := st.(*filesystem.Storage); ok {
		_ = s.Close()
	}
}

// WalkApart is [Repo.Walk] through a storage of its own (see fork), so
// that it can run concurrently with other reads of r: Walk holds r's lock
// for the whole walk. It reads commits straight from the pack files (see
// packSet; each checked against its id) when it can, through go-git's
// storage otherwise; go-git decodes them and orders the walk as Walk does.
func (r *Repo) WalkApart(c Commit, fn func(Commit, []Trailer) error) error {
	f, err := r.fork(cache.NewObjectLRUDefault())
	if err != nil {
		return r.Walk(c, fn) // not a storage it can fork: walk under r's lock
	}
	defer f.close()
	f.repo = &git.Repository{Storer: &packStorer{Storer: f.repo.Storer, packs: &packSet{dir: r.packs.dir}}}
	return f.Walk(c, fn)
}

// packStorer is a storage that reads objects from a packSet first. It is
// used by one goroutine at a time (the walk holds its Repo's lock).
type packStorer struct {
	storage.Storer
	packs *packSet
}

// EncodedObject returns the object from the pack files when they have it,
// as an in-memory object; otherwise what the storage returns.
func (s *packStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	typ, b, err := s.packs.readObject(h)
	if err != nil || (t != plumbing.AnyObject && t != typ) {
		return s.Storer.EncodedObject(t, h)
	}
	o := &plumbing.MemoryObject{}
	o.SetType(typ)
	o.SetSize(int64(len(b)))
	if _, err := o.Write(b); err != nil {
		return nil, err
	}
	return o, nil
}

// readObject returns an object of any type from the packs, checked against
// its id; an error (errNotInPacks when no pack has it) sends the caller to
// go-git. The content is shared with the pack cache: do not modify it.
func (s *packSet) readObject(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	if s.scanned.IsZero() {
		if _, err := s.refresh(); err != nil {
			return plumbing.InvalidObject, nil, err
		}
	}
	for _, p := range s.packs {
		off, ok := p.find(h)
		if !ok {
			continue
		}
		t, data, err := p.read(off, 0)
		if err != nil {
			return plumbing.InvalidObject, nil, err
		}
		if objectID(t, data) != h {
			return plumbing.InvalidObject, nil, fmt.Errorf("read %s from %s: content does not match the object id", h, filepath.Base(p.name))
		}
		return t, data, nil
	}
	return plumbing.InvalidObject, nil, errNotInPacks
}

// objectID computes an object's id with plain SHA-1, as blobID does.
func objectID(t plumbing.ObjectType, data []byte) plumbing.Hash {
	h := sha1.New()
	h.Write(fmt.Appendf(nil, "%s %d\x00", t, len(data)))
	h.Write(data)
	var id plumbing.Hash
	h.Sum(id[:0])
	return id
}
