package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
)

// DefaultLedgerBranch is the branch of the ledger when secretsctl.yaml
// names none (ledger.branch).
const DefaultLedgerBranch = "secretsctl/ledger"

// ErrLedgerOnPolicyBranch is wrapped when a ledger write finds the events
// still under deployments/ on the policy branch, where stores kept them
// before the ledger had a branch of its own.
var ErrLedgerOnPolicyBranch = errors.New("the ledger is still on the policy branch (deployments/): move it to its own branch with `secretsctl ledger migrate` first")

// checkLedgerBranch validates ledger.branch of secretsctl.yaml.
func checkLedgerBranch(file, branch string) error {
	if branch == "" {
		return nil
	}
	if err := gitrepo.CheckBranchName(branch); err != nil {
		return &DocumentError{File: file, Field: "ledger.branch", Reason: err.Error()}
	}
	return nil
}

// ledgerView is where a snapshot reads the ledger from, resolved once.
type ledgerView struct {
	once sync.Once
	err  error
	src  source
	// rev is the ledger's commit, "" when there is no ledger; for a legacy
	// ledger, the policy revision.
	rev string
	// ref is the reference read ("refs/heads/secretsctl/ledger",
	// "refs/remotes/origin/secretsctl/ledger"), "" when none.
	ref string
	// tracking is true when ref is a remote-tracking one: a write starts
	// the local branch from it.
	tracking bool
	legacy   bool // deployments/ of the policy revision
	// missing is true when no ledger was found but the repository has
	// remotes: it may just not have been fetched.
	missing bool
}

// LedgerBranch is the branch that holds the ledger, per the snapshot's
// secretsctl.yaml.
func (sn *Snapshot) LedgerBranch() string {
	if b := sn.config.Ledger.Branch; b != "" {
		return b
	}
	return DefaultLedgerBranch
}

// ledger returns where the ledger is read from.
func (sn *Snapshot) ledger() (*ledgerView, error) {
	sn.lv.once.Do(func() { sn.lv.err = sn.resolveLedger(&sn.lv) })
	return &sn.lv, sn.lv.err
}

// resolveLedger finds the ledger: the local ledger branch; else the
// remote-tracking branch of the ledger branch's remote (a fresh clone);
// else the policy revision's own deployments/ (a store not migrated yet);
// else none.
func (sn *Snapshot) resolveLedger(lv *ledgerView) error {
	repo, branch := sn.store.repo, sn.LedgerBranch()
	if ok, err := sn.useRef(lv, "refs/heads/"+branch); ok || err != nil {
		return err
	}
	_, remote, err := repo.PushConfig(branch)
	if err != nil {
		return err
	}
	if ok, err := sn.useRef(lv, "refs/remotes/"+remote+"/"+branch); ok || err != nil {
		lv.tracking = ok
		return err
	}
	if legacy, err := hasDir(sn.src, LedgerDir); err != nil || legacy {
		lv.src, lv.rev, lv.legacy = sn.src, sn.Revision, legacy
		return err
	}
	remotes, err := repo.Remotes()
	lv.src, lv.missing = emptySource{}, len(remotes) > 0 && !sn.store.fetchesAll
	return err
}

// useRef reads the ledger from a reference when it exists.
func (sn *Snapshot) useRef(lv *ledgerView, ref string) (bool, error) {
	hash, ok, err := sn.store.repo.RefHash(ref)
	if err != nil || !ok {
		return false, err
	}
	tree, err := sn.store.repo.Tree(gitrepo.Commit{Hash: hash})
	if err != nil {
		return false, fmt.Errorf("read ledger %s: %w", ref, err)
	}
	lv.src, lv.rev, lv.ref = treeSource{sn.store, tree}, hash, ref
	return true, nil
}

// UseLedgerRemote makes the snapshot read the ledger branch as the remote
// has it: it is fetched into refs/remotes/REMOTE/BRANCH first. A remote
// without the branch has an empty ledger. It must be called before the
// ledger is read.
func (sn *Snapshot) UseLedgerRemote(ctx context.Context, remote string) error {
	branch := sn.LedgerBranch()
	_, ok, err := sn.store.repo.FetchBranch(ctx, remote, branch)
	if err != nil {
		return err
	}
	used := false
	sn.lv.once.Do(func() {
		used = true
		if !ok {
			sn.lv.src = emptySource{}
			return
		}
		_, sn.lv.err = sn.useRef(&sn.lv, "refs/remotes/"+remote+"/"+branch)
		sn.lv.tracking = true
	})
	if !used {
		return errors.New("use the remote ledger: the ledger was read already")
	}
	return sn.lv.err
}

// CheckLedger returns a [*NotFoundError] when the repository has no ledger
// but has remotes it may not have fetched it from, so that readers say so
// instead of reporting no deployments. Other failures to find the ledger
// are returned too.
func (sn *Snapshot) CheckLedger() error {
	lv, err := sn.ledger()
	if err != nil || !lv.missing {
		return err
	}
	branch := sn.LedgerBranch()
	_, remote, _ := sn.store.repo.PushConfig(branch)
	return &NotFoundError{Kind: "ledger branch", Name: branch,
		Hint: fmt.Sprintf("this clone has neither %s nor %s/%s: nothing was issued yet, or the ledger was not fetched (git fetch %s %s:%s, or pass --remote %s)",
			branch, remote, branch, remote, branch, branch, remote)}
}

// LedgerRevision is the commit of the ledger the snapshot reads ("" when
// there is none; the policy revision for a store whose ledger is still
// under deployments/ on the policy branch).
func (sn *Snapshot) LedgerRevision() (string, error) {
	lv, err := sn.ledger()
	return lv.rev, err
}

// LedgerOnPolicyBranch reports whether the snapshot reads the ledger from
// deployments/ of the policy revision (a store not migrated yet).
func (sn *Snapshot) LedgerOnPolicyBranch() (bool, error) {
	lv, err := sn.ledger()
	return lv.legacy, err
}

// ledgerSource is the source of the ledger's files.
func (sn *Snapshot) ledgerSource() (source, error) {
	lv, err := sn.ledger()
	if err != nil {
		return nil, err
	}
	return lv.src, nil
}

// hasDir reports whether a store-relative folder exists in a source.
func hasDir(src source, dir string) (bool, error) {
	switch s := src.(type) {
	case treeSource:
		return s.tree.IsDir(s.s.repoPath(dir))
	case worktreeSource:
		fi, err := os.Stat(filepath.Join(s.s.dir, filepath.FromSlash(dir)))
		return err == nil && fi.IsDir(), nil
	}
	return false, nil
}

// emptySource is a ledger with no file.
type emptySource struct{}

func (emptySource) read(string) ([]byte, error)   { return nil, fs.ErrNotExist }
func (emptySource) list(string) ([]string, error) { return nil, nil }
func (emptySource) blobID(string) string          { return "" }
func (emptySource) walk(string) ([]string, error) { return nil, nil }

// SyncLedger fetches the ledger branch from remote and fast-forwards the
// local one to it (creating it when missing), so that the next write starts
// from the remote's events. A local branch with events the remote lacks is
// left as it is; pushing replays them. A remote without the branch changes
// nothing.
func (s *Store) SyncLedger(ctx context.Context, remote string) error {
	sn, err := s.Snapshot(ReadOptions{AllowUnverified: true})
	if err != nil {
		return err
	}
	branch := sn.LedgerBranch()
	hash, ok, err := s.repo.FetchBranch(ctx, remote, branch)
	if err != nil || !ok {
		return err
	}
	_, err = s.repo.FastForwardBranch(ctx, branch, hash)
	return err
}
