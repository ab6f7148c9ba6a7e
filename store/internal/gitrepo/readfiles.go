package gitrepo

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// readChunk is how many consecutive files a ReadFiles worker takes at a
// time.
const readChunk = 64

// ReadFiles reads many files of the tree, calling fn with each one's index
// in names and its content, with up to workers goroutines. fn is called
// concurrently when workers > 1 and must be safe for that; it must not
// modify data (which may be shared with a cache), but may keep it. The
// error is the one a loop of ReadFile then fn over names in order would
// stop at (the lowest failing index), although files after it may have been
// read too.
//
// Objects are read straight from the pack files (see packReader), which is
// safe for concurrent use; an object that reader does not find or cannot
// read is read as ReadFile reads it, through go-git's storage (loose
// objects, alternates, a pack written meanwhile), one at a time.
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
// goroutines and returns the error of the lowest index.
func (t *Tree) readHashes(names []string, hashes []plumbing.Hash, workers int, fn func(int, []byte) error) error {
	if len(names) == 0 {
		return nil
	}
	packs := openPackReader(t.r.commonDir)
	defer packs.close()
	read := func(i int) error {
		typ, b, err := packs.read(hashes[i])
		if err != nil || typ != plumbing.BlobObject {
			if b, err = t.r.readBlob(hashes[i]); err != nil {
				return fmt.Errorf("read %s: %w", names[i], err)
			}
		}
		return fn(i, b)
	}
	workers = min(workers, (len(names)+readChunk-1)/readChunk)
	if workers <= 1 {
		for i := range names {
			if err := read(i); err != nil {
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
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				start := int(next.Add(readChunk)) - readChunk
				if start >= len(names) || failedBefore(start) {
					return
				}
				for i := start; i < min(start+readChunk, len(names)); i++ {
					if err := read(i); err != nil {
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
	if ps, ok := st.(packStorer); ok {
		st = ps.Storer
	}
	if s, ok := st.(*filesystem.Storage); ok {
		_ = s.Close()
	}
}

// WalkApart is [Repo.Walk] through a storage of its own (see fork), so
// that it can run concurrently with other reads of r: Walk holds r's lock
// for the whole walk. It reads commits straight from the pack files (see
// packReader) when it can, through go-git's storage otherwise; go-git
// decodes them and orders the walk as Walk does.
func (r *Repo) WalkApart(c Commit, fn func(Commit, []Trailer) error) error {
	f, err := r.fork(cache.NewObjectLRUDefault())
	if err != nil {
		return r.Walk(c, fn) // not a storage it can fork: walk under r's lock
	}
	defer f.close()
	packs := openPackReader(r.commonDir)
	defer packs.close()
	f.repo = &git.Repository{Storer: packStorer{Storer: f.repo.Storer, packs: packs}}
	return f.Walk(c, fn)
}

// packStorer is a storage that reads objects from a packReader first.
type packStorer struct {
	storage.Storer
	packs *packReader
}

// EncodedObject returns the object from the pack files when they have it,
// as an in-memory object; otherwise what the storage returns.
func (s packStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	typ, b, err := s.packs.read(h)
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
