package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/importer"
	"github.com/secretsctl/secretsctl/store"
)

type importOptions struct {
	Store  string
	Dir    string
	Author string
}

func newImportCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "import",
		Usage: "read another tool's secret declarations into the store",
		Commands: []*ucli.Command{{
			Name:      "vrooli",
			Usage:     "import a Vrooli checkout's resources and scenarios",
			ArgsUsage: "DIR",
			Description: `Reads resources/*/config/secrets.yaml and scenarios/*/.vrooli/service.json
under DIR and writes resource and scenario documents, in one commit when
anything changed (none otherwise). A secret's key is its default_env (else
its upper-cased name); description, required, validation pattern and
documentation URL are carried over. Classifications and strategies are not
guessed: they stay unset and show up in lint, coverage and gaps. A resource
scenarios use without a secrets declaration is imported without secrets and
reported. What the store already says beyond the source (classifications,
strategies, tiers, overrides) is kept on re-import.

Examples:
   secretsctl import vrooli ~/src/Vrooli
   secretsctl import vrooli --author "Import Bot <bot@example.com>" ../Vrooli` + exitCodeHelp,
			Flags: []ucli.Flag{
				&ucli.StringFlag{Name: "author", Usage: `commit author as "Name <email>" (default: git config)`},
				storeFlag(),
			},
			OnUsageError: onUsageError,
			Action: func(ctx context.Context, c *ucli.Command) error {
				if c.NArg() != 1 {
					return usagef("import vrooli takes one directory")
				}
				return runImportVrooli(ctx, importOptions{Store: storeFlagValue(c), Dir: c.Args().First(), Author: c.String("author")}, e)
			},
		}},
	}
}

func runImportVrooli(ctx context.Context, opts importOptions, e *env) error {
	author, err := parseAuthor(opts.Author)
	if err != nil {
		return err
	}
	v, err := importer.ReadVrooli(resolvePath(e, opts.Dir))
	if err != nil {
		return usageError{err}
	}
	st, err := storeOptions{Store: opts.Store}.openStore(e)
	if err != nil {
		return err
	}
	sn, err := st.Snapshot(store.ReadOptions{})
	if err != nil {
		return err
	}
	res, err := importer.Merge(sn, v)
	if err != nil {
		return err
	}
	for _, s := range v.Skipped {
		fmt.Fprintf(e.stderr, "secretsctl: skipped: %s\n", s)
	}
	for _, name := range slices.Sorted(maps.Keys(v.Undeclared)) {
		fmt.Fprintf(e.stdout, "no secrets declaration for resource %s (used by %s): imported without secrets\n",
			name, strings.Join(v.Undeclared[name], ", "))
	}
	fmt.Fprintf(e.stdout, "read %d resources and %d scenarios\n", len(v.Resources), len(v.Scenarios))
	if len(res.Change.Documents) == 0 {
		fmt.Fprintln(e.stdout, "the store is up to date; nothing to commit")
		return nil
	}
	res.Change.Message = store.Message{Action: "import",
		Subject: fmt.Sprintf("import: vrooli: %d created, %d updated", len(res.Created), len(res.Updated))}
	res.Change.Author = author
	res.Change.Parent = sn.Revision
	c, _, err := st.Commit(ctx, res.Change)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d documents created, %d updated\ncommit %s\n", len(res.Created), len(res.Updated), c.Hash)
	return nil
}
