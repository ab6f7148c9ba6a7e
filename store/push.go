package store

import (
	"context"
	"fmt"
)

// pushAttempts bounds how often a rejected push is rebased and retried.
const pushAttempts = 10

// PushConfigured reports whether git config secretsctl.push is true.
func (s *Store) PushConfigured() (bool, error) {
	push, _, err := s.repo.PushConfig()
	return push, err
}

// PushResult is the state of the remote branch after a push.
type PushResult struct {
	// Remote is the remote pushed to; Head the commit its branch points to.
	Remote, Head string
}

// Push pushes the current branch to its remote (branch.NAME.remote, else
// origin). A push rejected as non-fast-forward is rebased onto the new
// remote head and retried: secretsctl's writers add new files (ledger
// events), so replaying them never conflicts. Local commits that touch a
// file the remote changed too are not replayed (the error says which).
func (s *Store) Push(ctx context.Context) (PushResult, error) {
	_, remote, err := s.repo.PushConfig()
	if err != nil {
		return PushResult{}, err
	}
	c, err := s.repo.Push(ctx, remote, pushAttempts)
	if err != nil {
		return PushResult{}, fmt.Errorf("push: %w", err)
	}
	return PushResult{Remote: remote, Head: c.Hash}, nil
}

// Store returns the store a snapshot reads.
func (sn *Snapshot) Store() *Store { return sn.store }
