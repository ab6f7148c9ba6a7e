package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/ledger"
)

func newAuditCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "audit",
		Usage: "who received which generated secret, since when, and the trail of events",
		Description: `Answers from the ledger and its git history, never showing a value:
with --secret, every deployment that received the secret, each value's keyed
fingerprint, status (active, previous, superseded, revoked) and the commit
that issued it; with --deployment, what the deployment holds and since when;
and in both cases (or for the whole ledger) the trail of events: commit,
author, time, action. Reads the ledger's clear metadata without decrypting
it, so no key is needed and integrity is reported unverified.

Examples:
   secretsctl audit --secret picker-wheel/SESSION_SECRET
   secretsctl audit --deployment acme-prod --format json
   secretsctl audit --scenario picker-wheel` + exitCodeHelp,
		Flags: append(ledgerReadFlags("text or json"),
			&ucli.StringFlag{Name: "secret", Usage: "a secret id (resource/KEY)"},
			&ucli.StringFlag{Name: "deployment", Aliases: []string{"d"}, Usage: "a deployment id"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("audit takes no arguments (got %q)", c.Args().First())
			}
			return ledgerErr(runAudit(ctx, ledgerReadOpts(c), e))
		},
	}
}

func runAudit(ctx context.Context, opts ledgerReadOptions, e *env) error {
	if opts.Format != "text" && opts.Format != "json" {
		return usagef("unknown --format %q: want text or json", opts.Format)
	}
	if opts.Secret != "" && opts.Deployment != "" {
		return usagef("--secret and --deployment cannot be combined")
	}
	r, err := opts.reader(ctx, e)
	if err != nil {
		return err
	}
	bar := spin(e, "reading the ledger")
	a, err := r.Audit(ledger.Filter{Secret: opts.Secret, Scenario: opts.Scenario, Deployment: opts.Deployment})
	bar.done()
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		err = writeJSON(e, a)
	} else {
		err = auditText(e, a)
	}
	if err != nil {
		return err
	}
	// Printed for the investigation; the exit code (5) still says the
	// ledger cannot be trusted.
	return a.Err()
}

// auditText writes the audit as two tables. The trail of a large ledger
// has thousands of rows and tabwriter writes cell by cell, so the output
// goes through one buffer: a few large writes instead of one syscall per
// cell.
func auditText(e *env, a *ledger.Audit) error {
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	if err := auditTables(out, a); err != nil {
		return err
	}
	return out.Flush()
}

func auditTables(out io.Writer, a *ledger.Audit) error {
	fmt.Fprintf(out, "ledger at %s (integrity %s)\n\n", short(a.Revision), a.Integrity)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEPLOYMENT\tSCENARIO\tTIER\tSECRET\tSTATUS\tSINCE\tCOMMIT\tFINGERPRINT")
	for _, h := range a.Holdings {
		status := h.Status
		if h.Reason != "" {
			status += " (" + h.Reason + ")"
		}
		if h.Forged {
			status = "FORGED " + status
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.Deployment, h.Scenario, h.Tier, h.SecretID, status, stamp(h.Since), short(h.Commit), h.Fingerprint)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, "\ntrail:")
	tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tCOMMIT\tAUTHOR\tACTION\tDEPLOYMENT\tSECRETS")
	for _, t := range a.Trail {
		var secrets []string
		for _, s := range t.Secrets {
			secrets = append(secrets, s.SecretID+"="+s.Status)
		}
		action := t.Action
		if t.Forged {
			action = "FORGED " + action
		}
		fmt.Fprintf(tw, "%s\t%s\t%s <%s>\t%s\t%s/%s\t%s\n", stamp(t.Time), short(t.Commit), t.Author, t.Email, action,
			t.Scenario, t.Deployment, strings.Join(secrets, ", "))
	}
	return tw.Flush()
}
