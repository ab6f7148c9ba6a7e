package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/store"
)

type ledgerReadOptions struct {
	storeOptions
	Scenario   string
	Deployment string
	Secret     string
	Format     string
	// Verify decrypts every event reported on and checks its
	// fingerprints (it needs the private key); without it the ledger's
	// clear metadata is read, fast and unverified.
	Verify bool
	// Remote, when set, is the git remote whose ledger branch is fetched
	// and read instead of the local one.
	Remote string
}

func ledgerReadFlags(formats string) []ucli.Flag {
	return append(readFlags()[:1],
		remoteFlag(),
		&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "only this scenario"},
		&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "output format: " + formats},
		&ucli.BoolFlag{Name: "verify", Usage: "decrypt every event reported on and verify its fingerprints, so a forged event is an integrity error (needs the private key; slower: one decryption per event)"},
	)
}

func ledgerReadOpts(c *ucli.Command) ledgerReadOptions {
	o := ledgerReadOptions{storeOptions: readOptions(c), Scenario: c.String("scenario"), Format: c.String("format"),
		Verify: c.Bool("verify"), Remote: c.String("remote")}
	if c.IsSet("deployment") {
		o.Deployment = c.String("deployment")
	}
	if c.IsSet("secret") {
		o.Secret = c.String("secret")
	}
	// The ledger's clear metadata is read without decrypting; documents
	// it consults (rotate_after, rotation_grace) may be unverified too.
	o.AllowUnverified = true
	return o
}

// reader opens the store and returns a metadata reader at the revision,
// whose ledger is the ledger branch (fetched from --remote when set).
func (o ledgerReadOptions) reader(ctx context.Context, e *env) (ledger.Reader, error) {
	now, err := clock(e)
	if err != nil {
		return ledger.Reader{}, err
	}
	_, sn, err := o.open(e)
	if err != nil {
		return ledger.Reader{}, err
	}
	if err := useLedger(ctx, sn, o.Remote); err != nil {
		return ledger.Reader{}, err
	}
	if o.Scenario != "" && !store.ValidLedgerName(o.Scenario) {
		return ledger.Reader{}, usagef("invalid --scenario %q", o.Scenario)
	}
	// With --verify the events reported on are decrypted and their
	// fingerprints checked: a forged event is an integrity error.
	if o.Verify {
		// It needs the private key; a missing key document is for the
		// verification to judge (an integrity error once events hold values).
		var nf *store.NotFoundError
		if _, err := sn.FingerprintKey(); err != nil && !errors.As(err, &nf) {
			return ledger.Reader{}, fmt.Errorf("--verify: %w", err)
		}
	}
	return ledger.Reader{Snapshot: sn, Mode: ledger.Metadata, Now: now().UTC(),
		FingerprintKey: e.getenv(ledger.FingerprintKeyEnv), Verify: o.Verify}, nil
}

func newDeploymentsCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "deployments",
		Usage: "list the deployments of the ledger",
		Description: `Lists every deployment the ledger knows (of one scenario with --scenario):
its tier, when it was issued and last changed, and how many values are
active, previous and revoked. Reads the ledger's clear metadata: no key
needed, never a value.

Examples:
   secretsctl deployments
   secretsctl deployments --scenario picker-wheel --format json` + exitCodeHelp,
		Flags: ledgerReadFlags("text or json"),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("deployments takes no arguments (got %q)", c.Args().First())
			}
			return ledgerErr(runDeployments(ctx, ledgerReadOpts(c), e))
		},
	}
}

func runDeployments(ctx context.Context, opts ledgerReadOptions, e *env) error {
	if opts.Format != "text" && opts.Format != "json" {
		return usagef("unknown --format %q: want text or json", opts.Format)
	}
	r, err := opts.reader(ctx, e)
	if err != nil {
		return err
	}
	bar := spin(e, "reading the ledger")
	deps, err := r.All(opts.Scenario)
	bar.done()
	if err != nil {
		return err
	}
	rows := ledger.Summaries(deps)
	if opts.Format == "json" {
		return writeJSON(e, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tDEPLOYMENT\tTIER\tISSUED\tUPDATED\tEVENTS\tACTIVE\tPREVIOUS\tREVOKED")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", r.Scenario, r.Deployment, r.Tier, stamp(r.Created), stamp(r.Updated),
			r.Events, r.Active, r.Previous, r.Revoked)
	}
	return tw.Flush()
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
