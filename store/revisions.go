package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
)

// Revision is a commit of the store's repository.
type Revision struct {
	// Hash is the full commit hash.
	Hash string `json:"commit"`
	// Time is the committer time, in UTC.
	Time time.Time `json:"time"`
	// Subject is the first line of the commit message.
	Subject string `json:"subject"`
}

func revisionOf(c gitrepo.Commit) Revision {
	return Revision{Hash: c.Hash, Time: c.Time.UTC(), Subject: c.Subject}
}

// Head returns the commit HEAD names. It is cheap to call on every request:
// while HEAD, its branch's ref and packed-refs are the same files as last
// time (three stat(2) calls) it answers from memory, and within 10 ms of the
// last check it makes no system call at all, so a new commit is seen by the
// calls made more than 10 ms after it.
func (s *Store) Head() (Revision, error) {
	c, err := s.repo.Head()
	if err != nil {
		return Revision{}, revisionError("HEAD", err)
	}
	return revisionOf(c), nil
}

// Resolve returns the commit a revision (commit, tag, branch, "HEAD~1"…)
// names; an unknown revision is a [*NotFoundError].
func (s *Store) Resolve(rev string) (Revision, error) {
	if rev == "" || rev == "HEAD" {
		return s.Head()
	}
	c, err := s.repo.Resolve(rev)
	if err != nil {
		return Revision{}, revisionError(rev, err)
	}
	return revisionOf(c), nil
}

// Ref is a branch or a tag and the commit it names.
type Ref struct {
	Name   string `json:"name"`
	Commit string `json:"commit"`
}

// Refs is what a store's repository holds: HEAD, its branches and tags.
type Refs struct {
	Head Revision `json:"head"`
	// Branch is the branch HEAD is on; "" when HEAD is detached.
	Branch   string `json:"branch"`
	Branches []Ref  `json:"branches"`
	Tags     []Ref  `json:"tags"`
}

// Refs lists HEAD, the local branches and the tags (annotated tags peeled
// to their commit), sorted by name.
func (s *Store) Refs() (*Refs, error) {
	head, err := s.Head()
	if err != nil {
		return nil, err
	}
	branches, tags, err := s.repo.Refs()
	if err != nil {
		return nil, fmt.Errorf("list revisions: %w", err)
	}
	out := &Refs{Head: head, Branch: s.repo.CurrentBranch(), Branches: []Ref{}, Tags: []Ref{}}
	for _, b := range branches {
		out.Branches = append(out.Branches, Ref(b))
	}
	for _, t := range tags {
		out.Tags = append(out.Tags, Ref(t))
	}
	return out, nil
}

// ErrNoCommonHistory is returned by [Store.MergeBase] for two revisions
// without a common ancestor.
var ErrNoCommonHistory = errors.New("the revisions share no history")

// MergeBase returns the best common ancestor of two revisions, as
// `git merge-base a b` does: the commit a pull request from b into a is
// compared against (GitHub's three-dot diff). An unknown revision is a
// [*NotFoundError]; revisions that share no history are an error naming
// both and wrapping [ErrNoCommonHistory].
func (s *Store) MergeBase(a, b string) (Revision, error) {
	ra, err := s.Resolve(a)
	if err != nil {
		return Revision{}, err
	}
	rb, err := s.Resolve(b)
	if err != nil {
		return Revision{}, err
	}
	c, err := s.repo.MergeBase(ra.Hash, rb.Hash)
	if errors.Is(err, gitrepo.ErrNoMergeBase) {
		return Revision{}, fmt.Errorf("%s and %s: %w", orHead(a), orHead(b), ErrNoCommonHistory)
	}
	if err != nil {
		return Revision{}, err
	}
	return revisionOf(c), nil
}

func orHead(rev string) string {
	if rev == "" {
		return "HEAD"
	}
	return rev
}
