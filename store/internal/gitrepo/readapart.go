package gitrepo

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
)

// ReadFilesApart reads many files of the tree with up to workers
// goroutines, each through a storage of its own (see fork), and calls fn
// with each file's index in names and its content. fn runs on several
// goroutines at once, each index exactly once; it must not keep data
// beyond the call unless it copies it. An error stops every worker before
// its next file; the error returned is the first worker's (by position in
// names) that failed.
//
// Reading thousands of small packed objects is CPU-bound (zlib and delta
// resolution in go-git's packfile code), and go-git's storage is not safe
// for concurrent use, so one storage per goroutine is how the reads use
// more than one core. Each worker takes a contiguous run of names, which
// keeps files of one folder (usually deltas of each other) in one
// worker's object cache.
func (t *Tree) ReadFilesApart(names []string, workers int, fn func(i int, data []byte) error) error {
	hashes := make([]plumbing.Hash, len(names))
	for i, name := range names {
		e, err := t.file("read", name)
		if err != nil {
			return err
		}
		hashes[i] = e.Hash
	}
	workers = max(1, min(workers, len(names)))
	chunk := (len(names) + workers - 1) / workers
	errs := make([]error, workers)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min(len(names), (w+1)*chunk)
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[w] = t.readRun(names, hashes, lo, hi, &failed, fn); errs[w] != nil {
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// readRun reads names[lo:hi] through a fork of the repository (or the
// repository itself when its storage cannot be forked).
func (t *Tree) readRun(names []string, hashes []plumbing.Hash, lo, hi int, failed *atomic.Bool, fn func(int, []byte) error) error {
	r := t.r
	if f, err := t.r.fork(); err == nil {
		defer f.close()
		r = f
	}
	for i := lo; i < hi && !failed.Load(); i++ {
		b, err := r.readBlob(hashes[i])
		if err != nil {
			return fmt.Errorf("read %s: %w", names[i], err)
		}
		if err := fn(i, b); err != nil {
			return err
		}
	}
	return nil
}
