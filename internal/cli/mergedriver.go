package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

type mergeDriverOptions struct {
	Store                    string
	Base, Ours, Theirs, Path string
}

func newMergeDriverCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "merge-driver",
		Usage:     "git merge driver: three-way merge of decrypted store documents by key path",
		ArgsUsage: "BASE OURS THEIRS PATH",
		Description: `Run by git (git merge, rebase, cherry-pick, pull) for a store document both
branches changed, as registered by secretsctl init:

   .gitattributes:  resources/*.yaml merge=secretsctl
   .git/config:     [merge "secretsctl"] driver = secretsctl merge-driver %O %A %B %P

It decrypts the common ancestor (BASE), our version (OURS) and theirs
(THEIRS), merges them by key path rather than by text line — secrets,
resources and tiers matched by key, name or id, a strategy as one field, lists
of names as sets — validates the result, encrypts and seals it into OURS and
exits 0. PATH is the document's path in the repository.

When both branches changed a field differently, it exits 1 and leaves in
OURS a conflict document, encrypted like the document: comments at the top
name every conflicting field, our version stays in place and theirs is kept
under secretsctl_conflicts. git then reports the conflict; resolve it with
secretsctl edit PATH (the document does not validate until
secretsctl_conflicts is gone), then git add. No value is written in clear.

Needs the private key; without it, the driver fails and git reports a
conflict with our version untouched.` + exitCodeHelp,
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 4 {
				return usagef("merge-driver needs BASE OURS THEIRS PATH (git passes %%O %%A %%B %%P), got %d arguments", c.NArg())
			}
			a := c.Args()
			return runMergeDriver(mergeDriverOptions{Store: storeFlagValue(c),
				Base: a.Get(0), Ours: a.Get(1), Theirs: a.Get(2), Path: a.Get(3)}, e)
		},
	}
}

func runMergeDriver(opts mergeDriverOptions, e *env) error {
	path := resolvePath(e, opts.Path) // git runs drivers at the top of the work tree
	start := opts.Store
	if start == "" {
		start = filepath.Dir(path)
	}
	st, err := storeOptions{Store: opts.Store}.openStoreAt(e, start)
	if err != nil {
		return err
	}
	rel, err := st.Rel(path)
	if err != nil {
		return usageError{err}
	}
	var versions [3][]byte
	for i, f := range []string{opts.Base, opts.Ours, opts.Theirs} {
		if versions[i], err = os.ReadFile(resolvePath(e, f)); err != nil {
			return fmt.Errorf("merge %s: %w", rel, err)
		}
	}
	res, err := st.Merge(rel, versions[0], versions[1], versions[2])
	if err != nil {
		return err
	}
	if err := writeOutput(e, opts.Ours, func(w io.Writer) error { _, err := w.Write(res.Document); return err }); err != nil {
		return err
	}
	if len(res.Conflicts) > 0 {
		return mergeConflictError{file: rel, fields: res.Conflicts}
	}
	return nil
}

// openStoreAt is openStore searching from start instead of the current
// directory.
func (o storeOptions) openStoreAt(e *env, start string) (*store.Store, error) {
	if o.Store != "" {
		return o.openStore(e)
	}
	dir, err := store.Locate("", start)
	if err != nil {
		return nil, err
	}
	return store.Open(dir, store.Options{Getenv: e.getenv})
}

// mergeConflictError is a merge that left conflicts to resolve (exit 1, as
// git expects of a merge driver).
type mergeConflictError struct {
	file   string
	fields []string
}

func (m mergeConflictError) Error() string {
	return fmt.Sprintf("merge conflict in %s: both sides changed %d field(s) differently:\n  %s\nresolve with: secretsctl edit %s, then git add it",
		m.file, len(m.fields), strings.Join(m.fields, "\n  "), m.file)
}
