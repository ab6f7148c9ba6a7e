package gitrepo

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
)

// ErrNoMergeBase is returned by [Repo.MergeBase] when two revisions share no
// history.
var ErrNoMergeBase = errors.New("no common ancestor")

// MergeBase returns the best common ancestor of two revisions, as
// `git merge-base a b` does (go-git's [object.Commit.MergeBase]). When there
// are several best ancestors (criss-cross merges) it returns the one with the
// smallest hash, so the answer is deterministic.
func (r *Repo) MergeBase(a, b string) (Commit, error) {
	ca, err := r.Resolve(a)
	if err != nil {
		return Commit{}, err
	}
	cb, err := r.Resolve(b)
	if err != nil {
		return Commit{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	x, err := r.readCommitLocked(plumbing.NewHash(ca.Hash))
	if err != nil {
		return Commit{}, fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	y, err := r.readCommitLocked(plumbing.NewHash(cb.Hash))
	if err != nil {
		return Commit{}, fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	bases, err := x.MergeBase(y)
	if err != nil {
		return Commit{}, fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	if len(bases) == 0 {
		return Commit{}, fmt.Errorf("merge base of %s and %s: %w", a, b, ErrNoMergeBase)
	}
	best := bases[0]
	for _, c := range bases[1:] {
		if c.Hash.String() < best.Hash.String() {
			best = c
		}
	}
	return commitInfo(best), nil
}
