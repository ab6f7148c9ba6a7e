package cli

import (
	"context"
	"fmt"
	"path"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/internal/sarif"
)

func newRotationDueCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "rotation-due",
		Usage: "list issued values older than their secret's rotate_after",
		Description: `Lists every active value in the ledger whose age (since the event that
issued it) exceeds the rotate_after of its secret's metadata, most overdue
first. Exits 10 when any is due, so CI can fail a pull request. Text, JSON
or SARIF 2.1.0 (for code scanning). Never shows a value.

Examples:
   secretsctl rotation-due
   secretsctl rotation-due --scenario picker-wheel --format json
   secretsctl rotation-due --format sarif > rotation.sarif` + exitCodeHelp,
		Flags: ledgerReadFlags("text, json or sarif"),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("rotation-due takes no arguments (got %q)", c.Args().First())
			}
			return ledgerErr(runRotationDue(ctx, ledgerReadOpts(c), e))
		},
	}
}

func runRotationDue(ctx context.Context, opts ledgerReadOptions, e *env) error {
	switch opts.Format {
	case "text", "json", "sarif":
	default:
		return usagef("unknown --format %q: want text, json or sarif", opts.Format)
	}
	r, err := opts.reader(ctx, e)
	if err != nil {
		return err
	}
	bar := spin(e, "reading the ledger")
	due, err := r.RotationDue(opts.Scenario)
	bar.done()
	if err != nil {
		return err
	}
	switch opts.Format {
	case "json":
		err = writeJSON(e, due)
	case "sarif":
		err = writeJSON(e, dueSARIF(due, r.Snapshot.Store().RepoDir()))
	default:
		err = dueText(e, due)
	}
	if err != nil {
		return err
	}
	if len(due) > 0 {
		return checkFailed{}
	}
	return nil
}

func dueText(e *env, due []ledger.Due) error {
	if len(due) == 0 {
		fmt.Fprintln(e.stdout, "no issued value is due for rotation")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SECRET\tDEPLOYMENT\tSCENARIO\tISSUED\tROTATE_AFTER\tOVERDUE")
	for _, d := range due {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.SecretID, d.Deployment, d.Scenario, stamp(d.Since), d.RotateAfter, d.Overdue)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d values due for rotation; run `secretsctl rotate --deployment D --secret ID`\n", len(due))
	return nil
}

func dueSARIF(due []ledger.Due, repoDir string) *sarif.Log {
	var fs []sarif.Finding
	for _, d := range due {
		uri := d.Event
		if repoDir != "" {
			uri = path.Join(repoDir, uri)
		}
		fs = append(fs, sarif.Finding{Rule: "rotation-due", Level: sarif.Error,
			Message: fmt.Sprintf("%s in deployment %s (%s) was issued %s; rotate_after %s passed %s ago", d.SecretID, d.Deployment,
				d.Scenario, stamp(d.Since), d.RotateAfter, d.Overdue),
			Help: "rotate it: secretsctl rotate --deployment D --secret ID", URI: uri,
			Properties: map[string]any{"secret_id": d.SecretID, "deployment": d.Deployment, "scenario": d.Scenario}})
	}
	return sarif.New("secretsctl", "https://github.com/secretsctl/secretsctl", fs)
}
