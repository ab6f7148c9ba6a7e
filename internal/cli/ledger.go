package cli

import (
	"context"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

// remoteFlag is --remote of the commands that read the ledger.
func remoteFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "remote", Usage: "fetch the ledger branch from this git remote and read it instead of the local one"}
}

// useLedger points a snapshot at the ledger to read: the ledger branch as
// remote has it (fetched now) when remote is set, else the local one; and
// says so when there is none because it was never fetched.
func useLedger(ctx context.Context, sn *store.Snapshot, remote string) error {
	if remote != "" {
		if err := sn.UseLedgerRemote(ctx, remote); err != nil {
			return err
		}
	}
	return sn.CheckLedger()
}

func newLedgerCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "ledger",
		Usage: "manage the issuance ledger's branch",
		Commands: []*ucli.Command{
			newLedgerMigrateCommand(e),
		},
	}
}

type ledgerMigrateOptions struct {
	storeOptions
	Author string
	Format string
}

func newLedgerMigrateCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "migrate",
		Usage: "move a ledger kept under deployments/ on the current branch to the ledger branch",
		Description: `Stores made before the ledger had a branch of its own keep their events under
deployments/ on the policy branch. migrate makes one commit on the ledger
branch (secretsctl/ledger, or ledger.branch of secretsctl.yaml) holding that
folder exactly as it is, with HEAD as its parent so the commits that added
the events stay in the ledger's history (audit shows them as before), and
one commit on the current branch that removes the folder, to be reviewed
and merged like any change. A store without deployments/ is left alone.
Run it again to finish a migration that stopped between the two commits.

Examples:
   secretsctl ledger migrate
   git push origin secretsctl/ledger && git push origin HEAD:ledger-migration` + exitCodeHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "author", Usage: `commit author as "Name <email>" (default: git config)`},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "output format: text or json"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("ledger migrate takes no arguments (got %q)", c.Args().First())
			}
			opts := ledgerMigrateOptions{storeOptions: storeOptions{Store: storeFlagValue(c)}, Author: c.String("author"), Format: c.String("format")}
			return runLedgerMigrate(ctx, opts, e)
		},
	}
}

func runLedgerMigrate(ctx context.Context, opts ledgerMigrateOptions, e *env) error {
	if opts.Format != "text" && opts.Format != "json" {
		return usagef("unknown --format %q: want text or json", opts.Format)
	}
	author, err := parseAuthor(opts.Author)
	if err != nil {
		return err
	}
	st, err := opts.openStore(e)
	if err != nil {
		return err
	}
	m, err := st.MigrateLedger(ctx, author)
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		return writeJSON(e, m)
	}
	if !m.Migrated {
		fmt.Fprintf(e.stdout, "no %s/ at HEAD: nothing to migrate (the ledger lives on %s)\n", store.LedgerDir, m.Branch)
		return nil
	}
	fmt.Fprintf(e.stdout, "moved %s of %s/ to branch %s (commit %s)\n", countNoun(m.Files, "file"), store.LedgerDir, m.Branch, m.Ledger)
	fmt.Fprintf(e.stdout, "removed %s/ from the current branch (commit %s): push it for review, and push %s\n", store.LedgerDir, m.Removal, m.Branch)
	return nil
}

// notFetched turns "deployment not found" into "the ledger branch was not
// fetched" when that is why: a writer reading a clone without the ledger.
func notFetched(st *store.Store, err error) error {
	var nf *store.NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "deployment" {
		return err
	}
	sn, serr := st.Snapshot(store.ReadOptions{AllowUnverified: true})
	if serr != nil {
		return err
	}
	if lerr := sn.CheckLedger(); lerr != nil {
		return lerr
	}
	return err
}
