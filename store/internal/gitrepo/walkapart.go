package gitrepo

import (
	"errors"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/cache"
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
	if s, ok := r.repo.Storer.(*filesystem.Storage); ok {
		_ = s.Close()
	}
}

// WalkApart is [Repo.Walk] through a storage of its own (see fork), so
// that it can run concurrently with other reads of r: Walk holds r's lock
// for the whole walk.
func (r *Repo) WalkApart(c Commit, fn func(Commit, []Trailer) error) error {
	f, err := r.fork()
	if err != nil {
		return r.Walk(c, fn) // not a storage it can fork: walk under r's lock
	}
	defer f.close()
	return f.Walk(c, fn)
}
