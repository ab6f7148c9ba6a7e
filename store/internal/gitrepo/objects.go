package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// reindexer is implemented by go-git's filesystem storage, which reads the
// list of pack files once and must be told when git may have repacked.
type reindexer interface{ Reindex() }

// objectLocked returns an object, rescanning the pack files once when it is
// missing (a git gc or fetch since the last scan). The caller holds r.mu.
func (r *Repo) objectLocked(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := r.repo.Storer.EncodedObject(t, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		if ri, ok := r.repo.Storer.(reindexer); ok {
			ri.Reindex()
			o, err = r.repo.Storer.EncodedObject(t, h)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", t, h, err)
	}
	return o, nil
}

// readBlob returns a blob's content.
func (r *Repo) readBlob(h plumbing.Hash) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.objectLocked(plumbing.BlobObject, h)
	if err != nil {
		return nil, err
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	return b, nil
}

// readTree returns a tree object's entries, in git order.
func (r *Repo) readTree(h plumbing.Hash) ([]object.TreeEntry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readTreeLocked(h)
}

func (r *Repo) readTreeLocked(h plumbing.Hash) ([]object.TreeEntry, error) {
	o, err := r.objectLocked(plumbing.TreeObject, h)
	if err != nil {
		return nil, err
	}
	var t object.Tree
	if err := t.Decode(o); err != nil {
		return nil, fmt.Errorf("decode tree %s: %w", h, err)
	}
	return t.Entries, nil
}

// readCommit returns a decoded commit object.
func (r *Repo) readCommit(h plumbing.Hash) (*object.Commit, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.readCommitLocked(h)
}

func (r *Repo) readCommitLocked(h plumbing.Hash) (*object.Commit, error) {
	o, err := r.objectLocked(plumbing.CommitObject, h)
	if err != nil {
		return nil, err
	}
	c, err := object.DecodeCommit(r.repo.Storer, o)
	if err != nil {
		return nil, fmt.Errorf("decode commit %s: %w", h, err)
	}
	return c, nil
}

// encoder is an object that can write itself: *object.Tree, *object.Commit.
type encoder interface {
	Encode(plumbing.EncodedObject) error
}

// encode serialises v into a new in-memory object, whose Hash is its id.
func (r *Repo) encode(v encoder) (plumbing.EncodedObject, error) {
	r.mu.Lock()
	o := r.repo.Storer.NewEncodedObject()
	r.mu.Unlock()
	if err := v.Encode(o); err != nil {
		return nil, err
	}
	return o, nil
}

// blobObject wraps content as an in-memory blob object.
func (r *Repo) blobObject(data []byte) (plumbing.EncodedObject, error) {
	r.mu.Lock()
	o := r.repo.Storer.NewEncodedObject()
	r.mu.Unlock()
	o.SetType(plumbing.BlobObject)
	o.SetSize(int64(len(data)))
	w, err := o.Writer()
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	return o, w.Close()
}

// objectWriter stores new objects and remembers them so that they can be
// fsynced before a ref points at them.
type objectWriter struct {
	r       *Repo
	written []plumbing.Hash
}

// write stores o as a loose object.
func (w *objectWriter) write(o plumbing.EncodedObject) (plumbing.Hash, error) {
	w.r.mu.Lock()
	h, err := w.r.repo.Storer.SetEncodedObject(o)
	w.r.mu.Unlock()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write %s %s: %w", o.Type(), o.Hash(), err)
	}
	w.written = append(w.written, h)
	return h, nil
}

// sync flushes the written loose objects and their directories to disk.
func (w *objectWriter) sync() error {
	dirs := map[string]bool{}
	for _, h := range w.written {
		hex := h.String()
		dir := filepath.Join(w.r.commonDir, "objects", hex[:2])
		if err := syncPath(filepath.Join(dir, hex[2:])); err != nil {
			return fmt.Errorf("sync object %s: %w", hex, err)
		}
		dirs[dir] = true
	}
	for dir := range dirs {
		if err := syncPath(dir); err != nil {
			return fmt.Errorf("sync %s: %w", dir, err)
		}
	}
	return nil
}

// syncPath fsyncs a file or directory.
func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// reference reads a reference without following symbolic ones.
func (r *Repo) reference(name plumbing.ReferenceName) (*plumbing.Reference, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.repo.Storer.Reference(name)
}
