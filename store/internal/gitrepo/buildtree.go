package gitrepo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// A change is an edit that alters the tree.
type change struct {
	edit
	old plumbing.Hash // HEAD's blob; zero when HEAD has no such file
	new plumbing.Hash // the resulting blob; zero for a deletion
}

// diff keeps the edits that change old, with their old and new blob ids.
func diff(old *Tree, edits []edit) ([]change, error) {
	var out []change
	for _, e := range edits {
		entry, ok, err := old.entry(e.path)
		if err != nil {
			return nil, err
		}
		if ok && entry.Mode == filemode.Dir {
			return nil, fmt.Errorf("%s %s: is a directory", verb(e), e.path)
		}
		c := change{edit: e}
		if ok {
			c.old = entry.Hash
		}
		if !e.delete {
			c.new = plumbing.ComputeHash(plumbing.BlobObject, e.data)
		}
		if c.old == c.new && (e.delete || entry.Mode == filemode.Regular) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

func verb(e edit) string {
	if e.delete {
		return "delete"
	}
	return "write"
}

// A treeBuilder writes the blob and tree objects of a tree plus changes.
type treeBuilder struct {
	r *Repo
	w *objectWriter
}

// buildRoot returns the root tree of old plus changes; it may be the empty
// tree.
func (b *treeBuilder) buildRoot(old plumbing.Hash, changes []change) (plumbing.Hash, error) {
	if len(changes) == 0 && !old.IsZero() {
		return old, nil
	}
	h, _, err := b.build(old, "", changes)
	return h, err
}

// build returns the tree at dir (old is its previous id, zero when absent)
// after the changes below it, and whether it ended up empty. Unchanged
// subtrees keep their ids; empty directories other than the root disappear.
func (b *treeBuilder) build(old plumbing.Hash, dir string, changes []change) (plumbing.Hash, bool, error) {
	entries, err := b.entries(old)
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	sub := map[string][]change{}
	for _, c := range changes {
		name, _, nested := strings.Cut(c.path[len(prefix(dir)):], "/")
		if nested {
			sub[name] = append(sub[name], c)
			continue
		}
		if err := b.setFile(entries, name, c); err != nil {
			return plumbing.ZeroHash, false, err
		}
	}
	for name, cs := range sub {
		var oldSub plumbing.Hash
		if e, ok := entries[name]; ok {
			if e.Mode != filemode.Dir {
				return plumbing.ZeroHash, false, fmt.Errorf("write %s: %s is a file", cs[0].path, join(dir, name))
			}
			oldSub = e.Hash
		}
		h, empty, err := b.build(oldSub, join(dir, name), cs)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		delete(entries, name)
		if !empty {
			entries[name] = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
		}
	}
	if len(entries) == 0 && dir != "" {
		return plumbing.ZeroHash, true, nil
	}
	h, err := b.writeTree(old, entries)
	return h, len(entries) == 0, err
}

// prefix is dir with a trailing slash, or "" for the root.
func prefix(dir string) string {
	if dir == "" {
		return ""
	}
	return dir + "/"
}

// entries returns a tree's entries by name; the zero id is an empty tree.
func (b *treeBuilder) entries(h plumbing.Hash) (map[string]object.TreeEntry, error) {
	m := map[string]object.TreeEntry{}
	if h.IsZero() {
		return m, nil
	}
	list, err := b.r.readTree(h)
	if err != nil {
		return nil, err
	}
	for _, e := range list {
		m[e.Name] = e
	}
	return m, nil
}

// setFile applies one change to a file directly in this directory.
func (b *treeBuilder) setFile(entries map[string]object.TreeEntry, name string, c change) error {
	if e, ok := entries[name]; ok && e.Mode == filemode.Dir {
		return fmt.Errorf("%s %s: is a directory", verb(c.edit), c.path)
	}
	if c.delete {
		delete(entries, name)
		return nil
	}
	o, err := b.r.blobObject(c.data)
	if err != nil {
		return fmt.Errorf("write %s: %w", c.path, err)
	}
	h, err := b.w.write(o)
	if err != nil {
		return fmt.Errorf("write %s: %w", c.path, err)
	}
	entries[name] = object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h}
	return nil
}

// writeTree stores a tree object, sorted as git requires (names compared as
// if directories had a trailing slash), unless it is the old one.
func (b *treeBuilder) writeTree(old plumbing.Hash, entries map[string]object.TreeEntry) (plumbing.Hash, error) {
	t := &object.Tree{Entries: make([]object.TreeEntry, 0, len(entries))}
	for _, e := range entries {
		t.Entries = append(t.Entries, e)
	}
	sort.Sort(object.TreeEntrySorter(t.Entries))
	o, err := b.r.encode(t)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode tree: %w", err)
	}
	if o.Hash() == old {
		return old, nil
	}
	return b.w.write(o)
}
