package gitrepo

import (
	"context"
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
)

// Apply writes a change as one commit on the current branch (the one HEAD
// points to; on an unborn branch it makes the root commit) and returns it.
//
// When the change leaves the tree as it is and AllowEmpty is false, Apply
// makes no commit and returns (Commit{}, false, nil). It fails with a
// [*DirtyError], changing nothing, when a path it would write or remove has
// uncommitted changes, and with [ErrConcurrentUpdate] when the branch moved
// meanwhile. An error with committed=true means the commit was made but the
// work tree or index could not be brought in line with it.
//
// Writers on one machine wait for each other, as long as ctx allows.
func (r *Repo) Apply(ctx context.Context, ch Change) (c Commit, committed bool, err error) {
	edits, err := ch.edits()
	if err != nil {
		return Commit{}, false, fmt.Errorf("apply change: %w", err)
	}
	author, err := r.author(ch.Author)
	if err != nil {
		return Commit{}, false, fmt.Errorf("apply change: %w", err)
	}
	unlock, err := r.lockWriters(ctx)
	if err != nil {
		return Commit{}, false, err
	}
	defer unlock()
	p, err := r.plan(edits)
	if err != nil {
		return Commit{}, false, fmt.Errorf("apply change: %w", err)
	}
	if ch.Parent != "" && p.head.hash.String() != ch.Parent {
		if err := r.checkUnchanged(ch.Parent, p, ch.Unchanged); err != nil {
			return Commit{}, false, fmt.Errorf("apply change computed at %.12s: branch is now at %.12s: %w", ch.Parent, p.head.hash, err)
		}
	}
	if !ch.AllowEmpty && (len(p.changes) == 0 || p.root == p.oldRoot) {
		return Commit{}, false, nil
	}
	var ix *indexUpdate
	if len(p.changes) > 0 {
		if ix, err = r.lockIndex(ctx, p.changes); err != nil {
			return Commit{}, false, fmt.Errorf("apply change: %w", err)
		}
		defer ix.rollback()
	}
	c, err = r.commit(ctx, p, ch.Message, author)
	if err != nil {
		return Commit{}, false, fmt.Errorf("apply change: %w", err)
	}
	if ix != nil {
		if err := ix.apply(); err != nil {
			return c, true, fmt.Errorf("committed %s but could not update the work tree (see git status): %w", c.Hash[:12], err)
		}
	}
	return c, true, nil
}

// A plan is a change turned into objects, not yet referenced by a commit.
type plan struct {
	head    headState
	oldRoot plumbing.Hash // HEAD's tree; zero when the branch is unborn
	root    plumbing.Hash // the new tree
	changes []change
	objects *objectWriter
}

// plan reads HEAD and writes the blobs and trees of HEAD's tree plus edits.
func (r *Repo) plan(edits []edit) (*plan, error) {
	head, err := r.head()
	if err != nil {
		return nil, err
	}
	p := &plan{head: head, objects: &objectWriter{r: r}}
	if !head.hash.IsZero() {
		co, err := r.readCommit(head.hash)
		if err != nil {
			return nil, fmt.Errorf("read HEAD: %w", err)
		}
		p.oldRoot = co.TreeHash
	}
	if p.changes, err = diff(r.treeAt(p.oldRoot), edits); err != nil {
		return nil, err
	}
	b := &treeBuilder{r: r, w: p.objects}
	if p.root, err = b.buildRoot(p.oldRoot, p.changes); err != nil {
		return nil, err
	}
	return p, nil
}

// commit writes the commit object, flushes every new object to disk and
// moves HEAD's branch to the commit. Moving the branch is the commit point.
func (r *Repo) commit(ctx context.Context, p *plan, msg string, author Signature) (Commit, error) {
	var parents []plumbing.Hash
	if !p.head.hash.IsZero() {
		parents = []plumbing.Hash{p.head.hash}
	}
	return r.writeCommit(ctx, commitSpec{objects: p.objects, tree: p.root, parents: parents, ref: p.head.branch,
		old: p.head.hash, msg: msg, author: author, withHead: true})
}

// checkUnchanged returns nil when every one of paths is the same in the
// commit parent and in the tree the plan starts from, else
// [ErrConcurrentUpdate]. With no paths any move of the branch is a conflict.
func (r *Repo) checkUnchanged(parent string, p *plan, paths []string) error {
	h, ok := parseHash(parent)
	if !ok || len(paths) == 0 {
		return ErrConcurrentUpdate
	}
	co, err := r.readCommit(h)
	if err != nil {
		return fmt.Errorf("read %s: %w", parent, err)
	}
	clean := make([]string, len(paths))
	for i, q := range paths {
		clean[i] = cleanPath(q)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	before, err := r.lookupAllLocked(co.TreeHash, clean)
	if err != nil {
		return err
	}
	now, err := r.lookupAllLocked(p.oldRoot, clean)
	if err != nil {
		return err
	}
	if !slices.Equal(before, now) {
		return ErrConcurrentUpdate
	}
	return nil
}
