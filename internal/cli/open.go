package cli

import (
	"github.com/secretsctl/secretsctl/store"
)

// storeOptions are the flags every command that reads a store shares.
type storeOptions struct {
	Store           string // --store or SECRETSCTL_STORE
	Rev             string
	Worktree        bool
	AllowUnverified bool
}

// openStore locates and opens the store.
func (o storeOptions) openStore(e *env) (*store.Store, error) {
	explicit := o.Store
	if explicit != "" {
		explicit = resolvePath(e, explicit)
	}
	dir, err := store.Locate(explicit, e.cwd)
	if err != nil {
		// A bare clone has no secretsctl.yaml on disk: it is read from
		// HEAD, and only the ledger is written.
		bare := explicit
		if bare == "" {
			bare = e.cwd
		}
		if st, berr := store.OpenBare(bare, store.Options{Getenv: e.getenv}); berr == nil {
			return st, nil
		}
		return nil, err
	}
	return store.Open(dir, store.Options{Getenv: e.getenv})
}

// open locates and opens the store and takes a snapshot.
func (o storeOptions) open(e *env) (*store.Store, *store.Snapshot, error) {
	st, err := o.openStore(e)
	if err != nil {
		return nil, nil, err
	}
	if o.Rev != "" && o.Worktree {
		return nil, nil, usagef("--rev and --worktree cannot be combined")
	}
	sn, err := st.Snapshot(store.ReadOptions{Rev: o.Rev, Worktree: o.Worktree, AllowUnverified: o.AllowUnverified})
	if err != nil {
		return nil, nil, err
	}
	return st, sn, nil
}
