package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

// allowUnverifiedEnv turns --allow-unverified on for the read-only commands
// a review runs (lint, coverage, gaps, plan, plan diff, serve): a CI job
// that holds no private key sets it once instead of on every command.
const allowUnverifiedEnv = "SECRETSCTL_ALLOW_UNVERIFIED"

// storeOptions are the flags every command that reads a store shares.
type storeOptions struct {
	Store           string // --store or SECRETSCTL_STORE
	Rev             string
	Worktree        bool
	AllowUnverified bool
	// noteUnverified says on stderr that integrity is unverified when
	// AllowUnverified reads without a key (commands whose output does not
	// say so itself).
	noteUnverified bool
}

// allowUnverifiedFlag is --allow-unverified of the read-only review
// commands, also set by SECRETSCTL_ALLOW_UNVERIFIED=1.
func allowUnverifiedFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "allow-unverified", Sources: ucli.EnvVars(allowUnverifiedEnv),
		Usage: "read metadata without the private key when none is loaded; integrity is then reported unverified"}
}

// reviewFlags are [readFlags] with --allow-unverified also read from
// SECRETSCTL_ALLOW_UNVERIFIED.
func reviewFlags() []ucli.Flag {
	flags := readFlags()
	for i, f := range flags {
		if f.Names()[0] == "allow-unverified" {
			flags[i] = allowUnverifiedFlag()
		}
	}
	return flags
}

// reviewOptions are [readOptions] of a command that notes an unverified
// read on stderr.
func reviewOptions(c *ucli.Command) storeOptions {
	o := readOptions(c)
	o.noteUnverified = true
	return o
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
	if o.noteUnverified {
		noteUnverified(e, st, o.AllowUnverified)
	}
	return st, sn, nil
}

// noteUnverified says on stderr that the documents are read without
// verification: allowed, and no private key is loaded.
func noteUnverified(e *env, st *store.Store, allowed bool) {
	if allowed && !st.HasKey() {
		fmt.Fprintf(e.stderr, "secretsctl: integrity: %s (no age identity is loaded: documents that no other key of theirs opens are read without checking their MAC or seal)\n",
			store.IntegrityUnverified)
	}
}
