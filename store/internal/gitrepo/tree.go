package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// A Tree is the content of one commit. It is read-only and safe for
// concurrent use by several goroutines.
//
// Paths are slash-separated and relative to the repository root; "" is the
// root. Redundant slashes and "." elements are ignored and ".." cannot climb
// above the root.
type Tree struct {
	r    *Repo
	root plumbing.Hash

	mu   sync.Mutex
	dirs map[string]*treeDir // decoded directories by path, "" for the root
}

// treeDir is one decoded tree object.
type treeDir struct {
	entries map[string]object.TreeEntry
	names   []string // all entry names, sorted bytewise
}

// Tree returns the content of a commit.
func (r *Repo) Tree(c Commit) (*Tree, error) {
	h, ok := parseHash(c.Hash)
	if !ok {
		return nil, fmt.Errorf("read tree: invalid commit hash %q", c.Hash)
	}
	co, err := r.readCommit(h)
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", c.Hash, err)
	}
	return r.treeAt(co.TreeHash), nil
}

// treeAt returns the tree with the given root; the zero hash is empty.
func (r *Repo) treeAt(root plumbing.Hash) *Tree {
	return &Tree{r: r, root: root, dirs: map[string]*treeDir{}}
}

// parseHash parses a full hexadecimal object id.
func parseHash(s string) (plumbing.Hash, bool) {
	if !plumbing.IsHash(s) {
		return plumbing.ZeroHash, false
	}
	h := plumbing.NewHash(s)
	return h, !h.IsZero()
}

// ReadFile returns a file's content at the tree's commit. The error wraps
// [fs.ErrNotExist] when there is no such file.
func (t *Tree) ReadFile(name string) ([]byte, error) {
	e, err := t.file("read", name)
	if err != nil {
		return nil, err
	}
	b, err := t.r.readBlob(e.Hash)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

// BlobHash returns the git blob id of a file, which identifies its content.
// The error wraps [fs.ErrNotExist] when there is no such file.
func (t *Tree) BlobHash(name string) (string, error) {
	e, err := t.file("hash", name)
	if err != nil {
		return "", err
	}
	return e.Hash.String(), nil
}

// List returns the names of the regular files directly inside dir, sorted. A
// dir that does not exist, or is not a directory, gives an empty list.
func (t *Tree) List(dir string) ([]string, error) {
	d, err := t.dir(cleanPath(dir))
	if err != nil || d == nil {
		return []string{}, err
	}
	names := []string{}
	for _, n := range d.names {
		if isRegular(d.entries[n].Mode) {
			names = append(names, n)
		}
	}
	return names, nil
}

// Walk returns the paths, relative to the repository root, of every regular
// file under dir at any depth, sorted.
func (t *Tree) Walk(dir string) ([]string, error) {
	files := []string{}
	if err := t.walk(cleanPath(dir), &files); err != nil {
		return nil, err
	}
	sort.Strings(files)
	return files, nil
}

func (t *Tree) walk(dir string, files *[]string) error {
	d, err := t.dir(dir)
	if err != nil || d == nil {
		return err
	}
	for _, n := range d.names {
		e := d.entries[n]
		switch {
		case e.Mode == filemode.Dir:
			if err := t.walk(join(dir, n), files); err != nil {
				return err
			}
		case isRegular(e.Mode):
			*files = append(*files, join(dir, n))
		}
	}
	return nil
}

// file returns the entry of a regular file.
func (t *Tree) file(op, name string) (object.TreeEntry, error) {
	p := cleanPath(name)
	if p == "" {
		return object.TreeEntry{}, &fs.PathError{Op: op, Path: name, Err: errors.New("is a directory")}
	}
	e, ok, err := t.entry(p)
	switch {
	case err != nil:
		return object.TreeEntry{}, err
	case !ok:
		return object.TreeEntry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	case e.Mode == filemode.Dir:
		return object.TreeEntry{}, &fs.PathError{Op: op, Path: name, Err: errors.New("is a directory")}
	case !isRegular(e.Mode):
		return object.TreeEntry{}, &fs.PathError{Op: op, Path: name, Err: errors.New("not a regular file")}
	}
	return e, nil
}

// entry looks up the entry at a clean path.
func (t *Tree) entry(p string) (object.TreeEntry, bool, error) {
	dir, base := path.Split(p)
	d, err := t.dir(strings.TrimSuffix(dir, "/"))
	if err != nil || d == nil {
		return object.TreeEntry{}, false, err
	}
	e, ok := d.entries[base]
	return e, ok, nil
}

// dir returns the decoded directory at a clean path, or nil when there is no
// directory there.
func (t *Tree) dir(p string) (*treeDir, error) {
	t.mu.Lock()
	d, ok := t.dirs[p]
	t.mu.Unlock()
	if ok {
		return d, nil
	}
	h := t.root
	if p != "" {
		e, ok, err := t.entry(p)
		if err != nil || !ok || e.Mode != filemode.Dir {
			return nil, err
		}
		h = e.Hash
	}
	d, err := t.load(h)
	if err != nil {
		return nil, fmt.Errorf("read directory %q: %w", p, err)
	}
	t.mu.Lock()
	t.dirs[p] = d
	t.mu.Unlock()
	return d, nil
}

// load decodes a tree object; the zero hash is the empty tree.
func (t *Tree) load(h plumbing.Hash) (*treeDir, error) {
	d := &treeDir{entries: map[string]object.TreeEntry{}}
	if h.IsZero() {
		return d, nil
	}
	entries, err := t.r.readTree(h)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		d.entries[e.Name] = e
		d.names = append(d.names, e.Name)
	}
	sort.Strings(d.names)
	return d, nil
}

// isRegular reports whether a tree entry mode is a regular file.
func isRegular(m filemode.FileMode) bool {
	return m == filemode.Regular || m == filemode.Executable || m == filemode.Deprecated
}

// cleanPath turns a caller's slash path into the form used as a key: no
// leading, trailing or doubled slashes, no "." or "..".
func cleanPath(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// join joins a directory path ("" for the root) and a name.
func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// IsDir reports whether dir is a directory of the tree ("" is the root).
func (t *Tree) IsDir(dir string) (bool, error) {
	d, err := t.dir(cleanPath(dir))
	return d != nil, err
}
