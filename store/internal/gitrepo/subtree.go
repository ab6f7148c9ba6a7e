package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// A SubtreeCommit starts a new branch with one folder of an existing
// commit: the new commit's tree holds that folder (at the same path) and
// nothing else, and its parent is the commit, so the history of the files
// stays reachable from the branch.
type SubtreeCommit struct {
	// Branch is the short name of the branch to create; it must not exist.
	Branch string
	// From is the commit the folder is taken from.
	From string
	// Dir is the folder's slash path relative to the repository root.
	Dir     string
	Message string
	Author  Signature
}

// ErrBranchExists is returned by [Repo.CommitSubtree] when the branch to
// create exists already.
var ErrBranchExists = errors.New("branch exists already")

// CommitSubtree creates a branch whose first commit holds one folder of
// another commit (see [SubtreeCommit]), reusing its tree objects as they
// are: no file is read or rewritten. The work tree and index are not
// touched.
func (r *Repo) CommitSubtree(ctx context.Context, s SubtreeCommit) (Commit, error) {
	ref := plumbing.NewBranchReferenceName(s.Branch)
	if err := ref.Validate(); err != nil {
		return Commit{}, fmt.Errorf("create %s: %w", s.Branch, err)
	}
	if _, err := (Change{Message: s.Message}).edits(); err != nil {
		return Commit{}, fmt.Errorf("create %s: %w", s.Branch, err)
	}
	author, err := r.author(s.Author)
	if err != nil {
		return Commit{}, fmt.Errorf("create %s: %w", s.Branch, err)
	}
	from, ok := parseHash(s.From)
	if !ok {
		return Commit{}, fmt.Errorf("create %s: invalid commit %q", s.Branch, s.From)
	}
	unlock, err := r.lockWriters(ctx)
	if err != nil {
		return Commit{}, err
	}
	defer unlock()
	if _, exists, err := r.RefHash(ref.String()); err != nil || exists {
		return Commit{}, fmt.Errorf("create %s: %w", s.Branch, errors.Join(err, ErrBranchExists))
	}
	w := &objectWriter{r: r}
	root, err := r.subtreeRoot(w, from, cleanPath(s.Dir))
	if err != nil {
		return Commit{}, fmt.Errorf("create %s: %w", s.Branch, err)
	}
	c, err := r.writeCommit(ctx, commitSpec{objects: w, tree: root, parents: []plumbing.Hash{from}, ref: ref, msg: s.Message, author: author})
	if err != nil {
		return Commit{}, fmt.Errorf("create %s: %w", s.Branch, err)
	}
	return c, nil
}

// subtreeRoot writes the trees that hold only the folder dir of commit
// from, and returns the root one.
func (r *Repo) subtreeRoot(w *objectWriter, from plumbing.Hash, dir string) (plumbing.Hash, error) {
	co, err := r.readCommit(from)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	tree := r.treeAt(co.TreeHash)
	e, ok, err := tree.entry(dir)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if !ok || e.Mode != filemode.Dir {
		return plumbing.ZeroHash, fmt.Errorf("%s is not a folder of %s", dir, from)
	}
	h := e.Hash
	names := strings.Split(dir, "/")
	for i := len(names) - 1; i >= 0; i-- {
		t := &object.Tree{Entries: []object.TreeEntry{{Name: names[i], Mode: filemode.Dir, Hash: h}}}
		o, err := r.encode(t)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("encode tree: %w", err)
		}
		if h, err = w.write(o); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	return h, nil
}

// ObjectAt returns the id of the tree or blob at a slash path of a commit,
// "" when there is nothing there.
func (r *Repo) ObjectAt(commit, p string) (string, error) {
	h, ok := parseHash(commit)
	if !ok {
		return "", fmt.Errorf("invalid commit %q", commit)
	}
	co, err := r.readCommit(h)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id, err := r.lookupLocked(co.TreeHash, cleanPath(p))
	if err != nil || id.IsZero() {
		return "", err
	}
	return id.String(), nil
}
