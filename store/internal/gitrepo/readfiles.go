package gitrepo

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// readChunk is how many consecutive files a ReadFiles worker takes at a
// time: neighbouring files (one ledger deployment's events) tend to share
// delta bases in a pack, which then come from the worker's own cache.
const readChunk = 64

// ReadFiles reads many files of the tree, calling fn with each one's index
// in names and its content, with up to workers goroutines. fn is called
// concurrently when workers > 1 and must be safe for that; data is fn's to
// keep. The error is the one a loop of ReadFile then fn over names in order
// would stop at (the lowest failing index), although files after it may
// have been read too.
//
// go-git's storage is not safe for concurrent use, so every worker reads
// through its own storage of the same repository (its own pack readers and
// pack index). What the storages share is safe for concurrent use: the
// billy filesystem, which keeps no state beyond its root directory, and one
// object cache (go-git's ObjectLRU locks itself; the objects in it are
// complete, hashed before they are put, and only read afterwards), so that
// a delta base one worker resolved serves the others: in a packed ledger,
// one event's base is typically another deployment's event, in another
// worker's share. The storages are closed before ReadFiles returns. With
// workers <= 1 the files are read in order through the repository's own
// storage.
func (t *Tree) ReadFiles(names []string, workers int, fn func(i int, data []byte) error) error {
	// Resolve every name first: the tree's directories are shared.
	hashes := make([]plumbing.Hash, len(names))
	n := len(names)
	var resolveErr error
	for i, name := range names {
		e, err := t.file("read", name)
		if err != nil {
			n, resolveErr = i, err
			break
		}
		hashes[i] = e.Hash
	}
	readErr := t.readHashes(names[:n], hashes[:n], workers, fn)
	if readErr != nil {
		return readErr
	}
	return resolveErr
}

// readHashes reads the blobs hashes (of files names) with up to workers
// forks of the repository and returns the error of the lowest index.
func (t *Tree) readHashes(names []string, hashes []plumbing.Hash, workers int, fn func(int, []byte) error) error {
	read := func(r *Repo, i int) error {
		b, err := r.readBlob(hashes[i])
		if err != nil {
			return fmt.Errorf("read %s: %w", names[i], err)
		}
		return fn(i, b)
	}
	workers = min(workers, (len(names)+readChunk-1)/readChunk)
	if workers <= 1 {
		for i := range names {
			if err := read(t.r, i); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		next   atomic.Int64 // the first index of the next chunk
		mu     sync.Mutex
		errAt  = len(names) // lowest failing index
		firstE error
		wg     sync.WaitGroup
	)
	fail := func(i int, err error) {
		mu.Lock()
		if i < errAt {
			errAt, firstE = i, err
		}
		mu.Unlock()
	}
	failedBefore := func(i int) bool {
		mu.Lock()
		defer mu.Unlock()
		return errAt < i
	}
	bases := cache.NewObjectLRUDefault()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := t.r.fork(bases)
			if err != nil {
				fail(0, err)
				return
			}
			defer r.close()
			for {
				start := int(next.Add(readChunk)) - readChunk
				if start >= len(names) || failedBefore(start) {
					return
				}
				for i := start; i < min(start+readChunk, len(names)); i++ {
					if err := read(r, i); err != nil {
						fail(i, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return firstE
}

// fork returns a Repo that reads the same repository's objects through a
// storage of its own (own pack readers and pack index, own lock) with the
// object cache objects, so it can read concurrently with r. It is only for
// reading objects; close it when done.
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
	if s, ok := r.repo.Storer.(*filesystem.Storage); ok {
		_ = s.Close()
	}
}

// WalkApart is [Repo.Walk] through a storage of its own (see fork), so
// that it can run concurrently with other reads of r: Walk holds r's lock
// for the whole walk.
func (r *Repo) WalkApart(c Commit, fn func(Commit, []Trailer) error) error {
	f, err := r.fork(cache.NewObjectLRUDefault())
	if err != nil {
		return fmt.Errorf("walk %s: %w", c.Hash, err)
	}
	defer f.close()
	return f.Walk(c, fn)
}
