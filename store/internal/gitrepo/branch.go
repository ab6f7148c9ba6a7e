package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ErrBranchCheckedOut is returned by [Repo.CommitBranch] when the branch
// it would move is the one HEAD is on: moving it would leave the work tree
// and index behind.
var ErrBranchCheckedOut = errors.New("the branch is checked out; commits to it are made without a work tree, so check out another branch")

// A BranchChange is one commit on a branch that is not checked out, made
// from trees alone: [Repo.CommitBranch] never reads or writes the work tree
// or the index.
type BranchChange struct {
	// Branch is the short branch name ("secretsctl/ledger").
	Branch string
	// Files, Delete, Message and Author are as in [Change].
	Files   map[string][]byte
	Delete  []string
	Message string
	Author  Signature
	// Parent is the commit of the branch the change was computed from, ""
	// when the branch was empty then. If the branch moved since, the change
	// is applied on top of it as long as none of the Unchanged paths differ
	// between Parent and the branch; otherwise CommitBranch fails with
	// [ErrConcurrentUpdate].
	Parent    string
	Unchanged []string
	// Start is where a branch that does not exist yet starts (its remote
	// counterpart); "" for a root commit.
	Start string
}

// CommitBranch writes a change as one commit on a branch other than HEAD's,
// with git's compare-and-swap ref update under the writer lock, and returns
// it. A change that leaves the tree as it is makes no commit. The work
// tree, the index and HEAD are never touched: it works from any checkout, a
// detached HEAD or a bare repository.
func (r *Repo) CommitBranch(ctx context.Context, ch BranchChange) (Commit, bool, error) {
	ref := plumbing.NewBranchReferenceName(ch.Branch)
	if err := ref.Validate(); err != nil {
		return Commit{}, false, fmt.Errorf("commit to %s: %w", ch.Branch, err)
	}
	edits, err := Change{Files: ch.Files, Delete: ch.Delete, Message: ch.Message}.edits()
	if err != nil {
		return Commit{}, false, fmt.Errorf("commit to %s: %w", ch.Branch, err)
	}
	author, err := r.author(ch.Author)
	if err != nil {
		return Commit{}, false, fmt.Errorf("commit to %s: %w", ch.Branch, err)
	}
	unlock, err := r.lockWriters(ctx)
	if err != nil {
		return Commit{}, false, err
	}
	defer unlock()
	if r.CurrentBranch() == ch.Branch {
		return Commit{}, false, fmt.Errorf("commit to %s: %w", ch.Branch, ErrBranchCheckedOut)
	}
	p, err := r.planBranch(ref, ch.Start, edits)
	if err != nil {
		return Commit{}, false, fmt.Errorf("commit to %s: %w", ch.Branch, err)
	}
	if base := p.base(); base != ch.Parent {
		if err := r.unchangedSince(ch.Parent, p.oldRoot, ch.Unchanged); err != nil {
			return Commit{}, false, fmt.Errorf("commit to %s computed at %.12s: branch is now at %.12s: %w", ch.Branch, ch.Parent, base, err)
		}
	}
	if len(p.changes) == 0 || p.root == p.oldRoot {
		return Commit{}, false, nil
	}
	c, err := r.commitBranch(ctx, p, ch.Message, author)
	if err != nil {
		return Commit{}, false, fmt.Errorf("commit to %s: %w", ch.Branch, err)
	}
	return c, true, nil
}

// branchPlan is a plan for a branch that is not checked out: head.hash is
// the branch's current commit (zero when it does not exist), start the
// commit a missing branch starts from.
type branchPlan struct {
	plan
	start plumbing.Hash
}

// base is the commit the new one will have as parent, "" for none.
func (p *branchPlan) base() string {
	switch {
	case !p.head.hash.IsZero():
		return p.head.hash.String()
	case !p.start.IsZero():
		return p.start.String()
	}
	return ""
}

// planBranch reads the branch (or start, when it does not exist) and writes
// the blobs and trees of its tree plus edits.
func (r *Repo) planBranch(ref plumbing.ReferenceName, start string, edits []edit) (*branchPlan, error) {
	p := &branchPlan{plan: plan{head: headState{branch: ref}, objects: &objectWriter{r: r}}}
	cur, err := r.reference(ref)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", ref, err)
	default:
		p.head.hash = cur.Hash()
	}
	if p.head.hash.IsZero() && start != "" {
		h, ok := parseHash(start)
		if !ok {
			return nil, fmt.Errorf("invalid start commit %q", start)
		}
		p.start = h
	}
	if base := p.base(); base != "" {
		co, err := r.readCommit(plumbing.NewHash(base))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", ref, err)
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

// unchangedSince returns nil when every one of paths is the same in the
// tree of commit parent ("" is the empty tree) and in root, else
// [ErrConcurrentUpdate]. With no paths any move is a conflict.
func (r *Repo) unchangedSince(parent string, root plumbing.Hash, paths []string) error {
	if len(paths) == 0 {
		return ErrConcurrentUpdate
	}
	var before plumbing.Hash
	if parent != "" {
		h, ok := parseHash(parent)
		if !ok {
			return ErrConcurrentUpdate
		}
		co, err := r.readCommit(h)
		if err != nil {
			return fmt.Errorf("read %s: %w", parent, err)
		}
		before = co.TreeHash
	}
	clean := make([]string, len(paths))
	for i, q := range paths {
		clean[i] = cleanPath(q)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	was, err := r.lookupInLocked(before, clean)
	if err != nil {
		return err
	}
	now, err := r.lookupInLocked(root, clean)
	if err != nil {
		return err
	}
	if !slices.Equal(was, now) {
		return ErrConcurrentUpdate
	}
	return nil
}

// lookupInLocked is lookupAllLocked where the zero root is the empty tree.
func (r *Repo) lookupInLocked(root plumbing.Hash, paths []string) ([]plumbing.Hash, error) {
	if root.IsZero() {
		return make([]plumbing.Hash, len(paths)), nil
	}
	return r.lookupAllLocked(root, paths)
}

// commitBranch writes the commit object, flushes every new object and moves
// the branch from its current commit (zero: it must not exist) to the new
// one. Moving the branch is the commit point.
func (r *Repo) commitBranch(ctx context.Context, p *branchPlan, msg string, author Signature) (Commit, error) {
	var parents []plumbing.Hash
	if base := p.base(); base != "" {
		parents = []plumbing.Hash{plumbing.NewHash(base)}
	}
	return r.writeCommit(ctx, commitSpec{objects: p.objects, tree: p.root, parents: parents, ref: p.head.branch,
		old: p.head.hash, msg: msg, author: author})
}

// commitSpec is a commit object to write and the ref to move to it.
type commitSpec struct {
	objects  *objectWriter
	tree     plumbing.Hash
	parents  []plumbing.Hash
	ref      plumbing.ReferenceName
	old      plumbing.Hash // the ref's expected value; zero: must not exist
	msg      string
	author   Signature
	reason   string // reflog prefix; "commit: " when empty
	withHead bool   // the ref is HEAD's branch: log to HEAD's reflog too
}

// writeCommit writes a commit object, fsyncs every new object and moves
// the ref with a compare-and-swap.
func (r *Repo) writeCommit(ctx context.Context, s commitSpec) (Commit, error) {
	now := time.Now()
	sig := object.Signature{Name: s.author.Name, Email: s.author.Email, When: now.Truncate(time.Second)}
	who, err := committer(s.author)
	if err != nil {
		return Commit{}, err
	}
	by := object.Signature{Name: who.Name, Email: who.Email, When: sig.When}
	co := &object.Commit{Author: sig, Committer: by, Message: s.msg, TreeHash: s.tree, ParentHashes: s.parents}
	o, err := r.encode(co)
	if err != nil {
		return Commit{}, fmt.Errorf("encode commit: %w", err)
	}
	if co.Hash, err = s.objects.write(o); err != nil {
		return Commit{}, err
	}
	if err := s.objects.sync(); err != nil {
		return Commit{}, err
	}
	if err := ctx.Err(); err != nil {
		return Commit{}, err
	}
	reason := s.reason
	if reason == "" {
		reason = "commit: "
		if len(s.parents) == 0 {
			reason = "commit (initial): "
		}
	}
	u := refUpdate{branch: s.ref, old: s.old, new: co.Hash, who: s.author, when: now, reason: reason + subject(s.msg), noHeadLog: !s.withHead}
	if err := r.updateRef(ctx, u); err != nil {
		return Commit{}, err
	}
	written, err := object.DecodeCommit(nil, o)
	if err != nil {
		return Commit{}, fmt.Errorf("decode commit: %w", err)
	}
	return commitInfo(written), nil
}

// CheckBranchName accepts a short branch name git would accept
// ("secretsctl/ledger"), not a full reference name.
func CheckBranchName(name string) error {
	if strings.HasPrefix(name, "refs/") {
		return fmt.Errorf("branch %q: give the short name, without refs/heads/", name)
	}
	if err := plumbing.NewBranchReferenceName(name).Validate(); err != nil {
		return fmt.Errorf("branch %q: %w", name, err)
	}
	return nil
}
