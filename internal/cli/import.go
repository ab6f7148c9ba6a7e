package cli

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"regexp"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/importer"
	"github.com/secretsctl/secretsctl/store"
)

type importOptions struct {
	Store   string
	Dir     string
	Author  string
	DB      string // secrets-manager database URL; "" reads the files only
	Verbose bool
}

func newImportCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "import",
		Usage: "read another tool's secret declarations into the store",
		Commands: []*ucli.Command{{
			Name:      "vrooli",
			Usage:     "import a Vrooli checkout's resources and scenarios, and its secrets-manager database",
			ArgsUsage: "DIR",
			Description: `Reads resources/*/config/secrets.yaml and scenarios/*/.vrooli/service.json
under DIR and writes resource and scenario documents, in one commit when
anything changed (none otherwise). A secret's key is its default_env (else
its upper-cased name); description, required, validation pattern and
documentation URL are carried over. A scenario's resources are the keys of
dependencies.resources, or the names in its "required" and "optional"
groups (with that optionality).

Resource names are normalised, and the report shows each rename: lower
case, no "resource-" prefix, '_' as '-' (resource-claude-code → claude-code,
unstructured_io → unstructured-io), so names that differ only so are one
resource.

--db URL also reads the Vrooli secrets-manager's PostgreSQL database
(resource_secrets, secret_deployment_strategies,
scenario_secret_strategy_overrides) in one REPEATABLE READ, READ ONLY
transaction: it never writes. Each row's type, required flag, description,
validation pattern, documentation URL, classification and rotation period
(rotate_after) are carried over; each strategy lands on its tier with its
prompt (label, description), generator (when it is one the store knows) and
bundle hints, a non-prompt strategy's description becoming its reason; each
override lands in its scenario, inheriting null columns from the resource's
strategy. What the store cannot hold (owners, fallback strategies, default
values — never read —, unknown generators, unknown columns...) is listed
with its row and the reason. The id and timestamp columns are not imported:
git history records changes. A password goes in PGPASSWORD or ~/.pgpass:
a URL holding one is refused (argv is visible to every user). Without --db, classifications and strategies stay unset and
show up in lint, coverage and gaps.

Re-importing changes only what the source changed: a classification,
rotation or strategy the store decided differently is kept and listed. The
output is a summary of what changed; --verbose lists every line.

Examples:
   secretsctl import vrooli ~/src/Vrooli
   PGPASSWORD=... secretsctl import vrooli --db postgres://vrooli@localhost:5433/vrooli ~/src/Vrooli
   secretsctl import vrooli --author "Import Bot <bot@example.com>" ../Vrooli` + exitCodeHelp,
			Flags: []ucli.Flag{
				&ucli.StringFlag{Name: "db", Usage: "read the secrets-manager PostgreSQL database at `URL` (read-only)"},
				&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "list every rename, unmapped field, resource and document"},
				&ucli.StringFlag{Name: "author", Usage: `commit author as "Name <email>" (default: git config)`},
			},
			OnUsageError: onUsageError,
			Action: func(ctx context.Context, c *ucli.Command) error {
				if c.NArg() != 1 {
					return usagef("import vrooli takes one directory")
				}
				return runImportVrooli(ctx, importOptions{Store: storeFlagValue(c), Dir: c.Args().First(),
					Author: c.String("author"), DB: c.String("db"), Verbose: c.Bool("verbose")}, e)
			},
		}},
	}
}

func runImportVrooli(ctx context.Context, opts importOptions, e *env) error {
	author, err := parseAuthor(opts.Author)
	if err != nil {
		return err
	}
	st, err := storeOptions{Store: opts.Store}.openStore(e)
	if err != nil {
		return err
	}
	sn, err := st.Snapshot(store.ReadOptions{})
	if err != nil {
		return err
	}
	db, err := readVrooliDB(ctx, opts.DB)
	if err != nil {
		return err
	}
	bar := spin(e, "reading the Vrooli checkout")
	v, err := importer.ReadVrooli(resolvePath(e, opts.Dir), db, sn.Tiers())
	if err != nil {
		bar.done()
		return usageError{err}
	}
	res, err := importer.Merge(sn, v)
	bar.done()
	if err != nil {
		return err
	}
	report := importReport{v: v, res: res, db: db, verbose: opts.Verbose}
	report.print(e)
	if len(res.Change.Documents) == 0 {
		fmt.Fprintln(e.stdout, "the store is up to date; nothing to commit")
		return nil
	}
	res.Change.Message = store.Message{Action: "import",
		Subject: fmt.Sprintf("import: vrooli: %d created, %d updated", len(res.Created), len(res.Updated))}
	res.Change.Author = author
	res.Change.Parent = sn.Revision
	bar = spin(e, fmt.Sprintf("encrypting and committing %s", countNoun(len(res.Change.Documents), "document")))
	c, _, err := st.Commit(ctx, res.Change)
	bar.done()
	if err != nil {
		return err
	}
	report.printChange(e)
	fmt.Fprintf(e.stdout, "commit %s\n", c.Hash)
	return nil
}

// readVrooliDB reads the secrets-manager database, or nothing without a URL.
func readVrooliDB(ctx context.Context, url string) (*importer.Database, error) {
	if url == "" {
		return nil, nil
	}
	if holdsPassword(url) {
		return nil, usagef("--db: the URL holds a password, and argv is visible to every user of the machine: " +
			"put it in PGPASSWORD or ~/.pgpass instead")
	}
	db, err := importer.ReadDatabase(ctx, url)
	if errors.Is(err, importer.ErrDatabaseURL) {
		return nil, usageError{fmt.Errorf("--db: %w", err)}
	}
	return db, err
}

// holdsPassword reports whether a PostgreSQL URL or keyword/value string
// carries a password: in a URL's userinfo or as a query parameter (keys
// decoded, as pgx decodes them), or as a `password` keyword with any
// spacing around its '='. It errs on the side of refusing.
func holdsPassword(dsn string) bool {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := neturl.Parse(dsn)
		if err != nil {
			return strings.Contains(strings.ToLower(dsn), "pass") // unparsable: refuse what may hold one
		}
		if u.User != nil {
			if _, set := u.User.Password(); set {
				return true
			}
		}
		for k := range u.Query() {
			if strings.EqualFold(k, "password") {
				return true
			}
		}
		return false
	}
	return passwordKeyword.MatchString(dsn)
}

// passwordKeyword is the password keyword of a keyword/value connection
// string ("host=h password = x").
var passwordKeyword = regexp.MustCompile(`(?i)(^|\s)password\s*=`)
