package gitrepo

import (
	"errors"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// fork returns a Repo that reads the same repository's objects through a
// storage of its own (own pack readers and pack index, own object cache,
// own lock), so it can read concurrently with r: go-git's storage is not
// safe for concurrent use, and the only thing the two share is the billy
// filesystem, which keeps no state beyond its root directory. It is only
// for reading objects; close it when done.
func (r *Repo) fork() (*Repo, error) {
	r.mu.Lock()
	st, ok := r.repo.Storer.(*filesystem.Storage)
	r.mu.Unlock()
	if !ok {
		return nil, errors.New("fork repository: not a filesystem storage")
	}
	s := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRUDefault(), filesystem.Options{MaxOpenDescriptors: maxOpenPacks})
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
	f, err := r.fork()
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
