package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// checkClean fails with a *DirtyError unless, for every changed path, the
// work tree and the index each hold either HEAD's version or the version
// the change writes, and every parent of the path is a plain directory or
// absent. The index passed in is read under the index lock.
func (u *indexUpdate) checkClean() error {
	paths := map[string]bool{}
	deleted := map[string]bool{}
	for _, c := range u.changes {
		paths[c.path] = true
		deleted[c.path] = c.delete
	}
	entries := stagedEntries(u.idx, paths)
	dirty := map[string]bool{}
	for _, c := range u.changes {
		bad, err := u.r.dirtyPaths(c, entries[c.path], deleted)
		if err != nil {
			return err
		}
		for _, p := range bad {
			dirty[p] = true
		}
	}
	if len(dirty) == 0 {
		return nil
	}
	e := &DirtyError{}
	for p := range dirty {
		e.Paths = append(e.Paths, p)
	}
	sort.Strings(e.Paths)
	return e
}

// dirtyPaths returns the paths that keep one change from being applied
// safely: the path itself, or a parent that is not a directory.
func (r *Repo) dirtyPaths(c change, entries []*index.Entry, deleted map[string]bool) ([]string, error) {
	var bad []string
	for dir := parentDir(c.path); dir != ""; dir = parentDir(dir) {
		fi, err := os.Lstat(r.full(dir))
		if err == nil && !fi.IsDir() && !deleted[dir] {
			bad = append(bad, dir)
		}
	}
	wt, ok, err := r.worktreeBlob(c.path)
	if err != nil {
		return nil, err
	}
	if !ok || (wt != c.old && wt != c.new) {
		bad = append(bad, c.path)
	} else if ix, ok := staged(entries); !ok || (ix != c.old && ix != c.new) {
		bad = append(bad, c.path)
	}
	return bad, nil
}

// parentDir returns the parent of a slash path, "" at the top.
func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// full returns the absolute file name of a slash path in the work tree.
func (r *Repo) full(p string) string {
	return filepath.Join(r.root, filepath.FromSlash(p))
}

// worktreeBlob returns the blob id of a work tree file or symbolic link, zero
// when there is none, and ok=false when something else is there.
func (r *Repo) worktreeBlob(p string) (h plumbing.Hash, ok bool, err error) {
	name := r.full(p)
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist) || isNotDir(err):
		return plumbing.ZeroHash, true, nil
	case err != nil:
		return plumbing.ZeroHash, false, fmt.Errorf("check %s: %w", p, err)
	case fi.Mode().IsRegular():
		b, err := os.ReadFile(name)
		if err != nil {
			return plumbing.ZeroHash, false, fmt.Errorf("check %s: %w", p, err)
		}
		return plumbing.ComputeHash(plumbing.BlobObject, b), true, nil
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(name)
		if err != nil {
			return plumbing.ZeroHash, false, fmt.Errorf("check %s: %w", p, err)
		}
		return plumbing.ComputeHash(plumbing.BlobObject, []byte(target)), true, nil
	}
	return plumbing.ZeroHash, false, nil
}

// writeFile writes a changed file atomically, mode 0644, creating its
// directories, and returns its index entry.
func (r *Repo) writeFile(c change) (*index.Entry, error) {
	name := r.full(c.path)
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", c.path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", c.path, err)
	}
	err = fillTemp(tmp, c.data)
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return nil, fmt.Errorf("write %s: %w", c.path, err)
	}
	fi, err := os.Lstat(name)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", c.path, err)
	}
	return indexEntry(c, fi), nil
}

// fillTemp writes, flushes and closes a temporary file.
func fillTemp(f *os.File, data []byte) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeFile deletes a work tree file and the directories it leaves empty.
func (r *Repo) removeFile(p string) error {
	if err := os.Remove(r.full(p)); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	for dir := parentDir(p); dir != ""; dir = parentDir(dir) {
		if os.Remove(r.full(dir)) != nil {
			break
		}
	}
	return nil
}
