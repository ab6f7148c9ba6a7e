package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
)

// source reads store-relative files of one revision.
type source interface {
	read(rel string) ([]byte, error)
	// list returns the names of the regular files directly in dir, sorted.
	list(dir string) ([]string, error)
	// blobID identifies content for caching; "" when unknown.
	blobID(rel string) string
	// walk lists every regular file under dir, recursively, as sorted
	// store-relative slash paths.
	walk(dir string) ([]string, error)
}

// treeSource reads a commit.
type treeSource struct {
	s    *Store
	tree *gitrepo.Tree
}

func (t treeSource) read(rel string) ([]byte, error) { return t.tree.ReadFile(t.s.repoPath(rel)) }

func (t treeSource) list(dir string) ([]string, error) { return t.tree.List(t.s.repoPath(dir)) }

func (t treeSource) walk(dir string) ([]string, error) {
	paths, err := t.tree.Walk(t.s.repoPath(dir))
	if err != nil {
		return nil, err
	}
	if t.s.prefix != "" {
		for i, p := range paths {
			paths[i] = strings.TrimPrefix(p, t.s.prefix+"/")
		}
	}
	return paths, nil
}

func (t treeSource) blobID(rel string) string {
	id, err := t.tree.BlobHash(t.s.repoPath(rel))
	if err != nil {
		return ""
	}
	return id
}

// worktreeSource reads the files on disk, committed or not.
type worktreeSource struct{ s *Store }

func (w worktreeSource) read(rel string) ([]byte, error) { return w.s.readWorktree(rel) }

func (w worktreeSource) list(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(w.s.dir, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

func (w worktreeSource) blobID(string) string { return "" }

func (w worktreeSource) walk(dir string) ([]string, error) {
	var out []string
	root := filepath.Join(w.s.dir, filepath.FromSlash(dir))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return filepath.SkipDir
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(w.s.dir, path)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	sort.Strings(out)
	return out, err
}

// docNames lists the document names (file names without .yaml) in dir.
func docNames(src source, dir string) ([]string, error) {
	files, err := src.list(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		if name, ok := strings.CutSuffix(f, ".yaml"); ok && !strings.HasPrefix(name, ".") {
			names = append(names, name)
		}
	}
	return names, nil
}
