package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
)

// ActionLedgerMigrate is the Secretsctl-Action of the two commits of
// [Store.MigrateLedger].
const ActionLedgerMigrate = "ledger-migrate"

// LedgerMigration is what [Store.MigrateLedger] did.
type LedgerMigration struct {
	Branch string `json:"branch"`
	// Migrated is false when HEAD had no deployments/ to move.
	Migrated bool `json:"migrated"`
	// Files is how many files (events and the fingerprint key) moved.
	Files int `json:"files"`
	// Ledger is the ledger branch's first commit; Removal the commit on the
	// current branch that removes deployments/.
	Ledger  string `json:"ledger_commit,omitempty"`
	Removal string `json:"removal_commit,omitempty"`
}

// MigrateLedger moves a ledger kept under deployments/ on the current
// branch (as stores did before the ledger had a branch of its own) to the
// ledger branch: one commit there holds HEAD's deployments/ folder as it is
// (same tree objects, so every event keeps its file and id) with HEAD as
// its parent, so the commits that added the events stay in the ledger's
// history; then one commit on the current branch removes the folder, for
// review. A store without deployments/ at HEAD is left alone. A migration
// interrupted between the two commits is finished by running it again.
func (s *Store) MigrateLedger(ctx context.Context, author Author) (*LedgerMigration, error) {
	sn, err := s.Snapshot(ReadOptions{AllowUnverified: true})
	if err != nil {
		return nil, err
	}
	m := &LedgerMigration{Branch: sn.LedgerBranch()}
	if legacy, err := hasDir(sn.src, LedgerDir); err != nil || !legacy {
		return m, err
	}
	files, err := sn.src.walk(LedgerDir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", LedgerDir, err)
	}
	if m.Ledger, err = s.startLedgerBranch(ctx, sn, m.Branch, author); err != nil {
		return nil, err
	}
	msg := Message{Subject: fmt.Sprintf("ledger: move %s/ to branch %s", LedgerDir, m.Branch), Action: ActionLedgerMigrate}
	c, _, err := s.Commit(ctx, Change{Delete: files, Message: msg, Author: author, Parent: sn.Revision})
	if err != nil {
		return nil, fmt.Errorf("branch %s holds the ledger now, but removing %s/ from the current branch failed (run ledger migrate again): %w", m.Branch, LedgerDir, err)
	}
	m.Migrated, m.Files, m.Removal = true, len(files), c.Hash
	return m, nil
}

// startLedgerBranch creates the ledger branch from HEAD's deployments/, or
// accepts the one an interrupted migration created from the same folder.
func (s *Store) startLedgerBranch(ctx context.Context, sn *Snapshot, branch string, author Author) (string, error) {
	dir := s.repoPath(LedgerDir)
	msg := Message{Subject: fmt.Sprintf("ledger: start %s with %s/ of %.12s", branch, LedgerDir, sn.Revision), Action: ActionLedgerMigrate}
	c, err := s.repo.CommitSubtree(ctx, gitrepo.SubtreeCommit{Branch: branch, From: sn.Revision, Dir: dir,
		Message: msg.String(), Author: gitrepo.Signature{Name: author.Name, Email: author.Email}})
	if err == nil {
		return c.Hash, nil
	}
	if !errors.Is(err, gitrepo.ErrBranchExists) {
		return "", err
	}
	tip, _, err := s.repo.RefHash("refs/heads/" + branch)
	if err != nil {
		return "", err
	}
	want, err := s.repo.ObjectAt(sn.Revision, dir)
	if err != nil {
		return "", err
	}
	have, err := s.repo.ObjectAt(tip, dir)
	if err != nil {
		return "", err
	}
	if have != want {
		return "", fmt.Errorf("migrate the ledger: branch %s exists already and its %s/ differs from HEAD's; merge them by hand", branch, LedgerDir)
	}
	return tip, nil
}
