package store

import (
	"context"
	"fmt"
)

// pushAttempts bounds how often a rejected push is replayed and retried:
// enough for 8 writers pushing to one remote at once (the ledger stress
// test), with backoff up to 2 s between attempts.
const pushAttempts = 30

// PushConfigured reports whether git config secretsctl.push is true.
func (s *Store) PushConfigured() (bool, error) {
	push, _, err := s.repo.PushConfig("")
	return push, err
}

// PushResult is the state of the remote ledger branch after a push.
type PushResult struct {
	// Remote is the remote pushed to, Branch the ledger branch and Head the
	// commit it points to on the remote.
	Remote, Branch, Head string
}

// PushLedger pushes the ledger branch (the one HEAD's secretsctl.yaml
// names) to its remote (branch.NAME.remote, else origin), with a
// compare-and-swap: a push rejected because the remote branch moved
// fetches it, replays the local events onto it (writers add new files, so
// replaying them does not conflict) and tries again. No other branch is
// pushed, and the work tree and index are never touched.
func (s *Store) PushLedger(ctx context.Context) (PushResult, error) {
	sn, err := s.Snapshot(ReadOptions{AllowUnverified: true})
	if err != nil {
		return PushResult{}, err
	}
	branch := sn.LedgerBranch()
	_, remote, err := s.repo.PushConfig(branch)
	if err != nil {
		return PushResult{}, err
	}
	c, err := s.repo.PushBranch(ctx, remote, branch, pushAttempts)
	if err != nil {
		return PushResult{}, fmt.Errorf("push: %w", err)
	}
	return PushResult{Remote: remote, Branch: branch, Head: c.Hash}, nil
}

// Store returns the store a snapshot reads.
func (sn *Snapshot) Store() *Store { return sn.store }
