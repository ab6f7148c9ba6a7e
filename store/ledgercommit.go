package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
)

// CommitLedger writes a ledger change (event documents under deployments/)
// as one commit on the ledger branch, derived from the ledger the snapshot
// read: if the branch moved since, the commit is made on top of it as long
// as none of ch.Unchanged changed, else it fails with
// [ErrConcurrentUpdate]. Documents are encrypted with the creation rules of
// the snapshot's .sops.yaml. The work tree, the index and HEAD are never
// touched, so it works from any checkout, a detached HEAD or a bare clone;
// ch.Parent is ignored. It returns false when nothing changed.
func (sn *Snapshot) CommitLedger(ctx context.Context, ch Change) (Commit, bool, error) {
	lv, err := sn.ledger()
	if err != nil {
		return Commit{}, false, err
	}
	if lv.legacy {
		return Commit{}, false, fmt.Errorf("commit %s: %w", ch.Message.Action, ErrLedgerOnPolicyBranch)
	}
	files, err := sn.ledgerFiles(ch)
	if err != nil {
		return Commit{}, false, err
	}
	s := sn.store
	bc := gitrepo.BranchChange{Branch: sn.LedgerBranch(), Files: files, Message: ch.Message.String(),
		Author: gitrepo.Signature{Name: ch.Author.Name, Email: ch.Author.Email}, Parent: lv.rev}
	if lv.tracking {
		bc.Start = lv.rev
	}
	for _, rel := range ch.Delete {
		bc.Delete = append(bc.Delete, s.repoPath(rel))
	}
	for _, rel := range ch.Unchanged {
		bc.Unchanged = append(bc.Unchanged, s.repoPath(rel))
	}
	c, ok, err := s.repo.CommitBranch(ctx, bc)
	if err != nil {
		return Commit{}, false, fmt.Errorf("commit %s: %w", ch.Message.Action, err)
	}
	return Commit{Hash: c.Hash, Time: c.Time}, ok, nil
}

// ledgerFiles encrypts a ledger change's documents with the snapshot's
// creation rules and returns every file by repository path.
func (sn *Snapshot) ledgerFiles(ch Change) (map[string][]byte, error) {
	s := sn.store
	files := make(map[string][]byte, len(ch.Documents)+len(ch.Files))
	if len(ch.Documents) > 0 {
		data, err := sn.src.read(".sops.yaml")
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read creation rules: .sops.yaml not found at revision %s", sn.Revision)
		}
		if err != nil {
			return nil, fmt.Errorf("read creation rules: %w", err)
		}
		rules, err := s.rules(data)
		if err != nil {
			return nil, err
		}
		for rel, doc := range ch.Documents {
			enc, err := s.encryptDocument(rules, rel, doc, nil) // ledger files are new: no data key to keep
			if err != nil {
				return nil, err
			}
			files[s.repoPath(rel)] = enc
		}
	}
	for rel, data := range ch.Files {
		files[s.repoPath(rel)] = data
	}
	return files, nil
}
