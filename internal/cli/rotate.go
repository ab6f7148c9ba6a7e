package cli

import (
	"context"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/ledger"
)

type rotateOptions struct {
	ledgerOptions
	Target ledger.Target
	Reason string
}

func targetFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "scenario of the deployment (needed only when the id is used by several)"},
		&ucli.StringFlag{Name: "deployment", Aliases: []string{"d"}, Usage: "deployment id", Required: true},
		&ucli.StringFlag{Name: "secret", Usage: "one secret id (resource/KEY); every secret of the deployment when omitted"},
	}
}

func rotateOpts(c *ucli.Command) rotateOptions {
	return rotateOptions{ledgerOptions: ledgerWriteOptions(c), Reason: c.String("reason"),
		Target: ledger.Target{Scenario: c.String("scenario"), Deployment: c.String("deployment"), Secret: c.String("secret")}}
}

func newRotateCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "rotate",
		Usage: "give a deployment's secrets new values",
		Description: `Generates a new value for one secret of a deployment (or every one) and
commits one rotate event: the new value is active, the old one previous for
the secret's rotation_grace (7d by default), then superseded. Values derived
from a rotated one are derived again. Run render afterwards to rebuild the
bundle.

Examples:
   secretsctl rotate --deployment acme-prod
   secretsctl rotate --deployment acme-prod --secret picker-wheel/SESSION_SECRET --push` + exitCodeHelp,
		Flags: append(ledgerWriteFlags(), targetFlags()...),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("rotate takes no arguments (got %q)", c.Args().First())
			}
			return ledgerErr(runRotate(ctx, rotateOpts(c), e))
		},
	}
}

func runRotate(ctx context.Context, opts rotateOptions, e *env) error {
	w, err := opts.writer(ctx, e)
	if err != nil {
		return err
	}
	res, err := w.Rotate(ctx, opts.Target)
	if err != nil {
		return notFetched(w.Store, err)
	}
	if err := opts.push(ctx, w, res); err != nil {
		return err
	}
	return printResult(e, opts.Format, "rotated", res, "")
}

func newRevokeCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "revoke",
		Usage: "mark a deployment's values revoked",
		Description: `Commits one revoke event marking the active and previous values of one
secret of a deployment (or of every secret) revoked, with a reason. A
deployment without active values is no longer rendered; rotate it to give it
new values.

Examples:
   secretsctl revoke --deployment acme-prod --reason "laptop stolen"
   secretsctl revoke --deployment acme-prod --secret picker-wheel/SESSION_SECRET --reason leaked` + exitCodeHelp,
		Flags: append(append(ledgerWriteFlags(), targetFlags()...),
			&ucli.StringFlag{Name: "reason", Usage: "why the values are revoked (recorded in the ledger)", Required: true}),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("revoke takes no arguments (got %q)", c.Args().First())
			}
			return ledgerErr(runRevoke(ctx, rotateOpts(c), e))
		},
	}
}

func runRevoke(ctx context.Context, opts rotateOptions, e *env) error {
	if opts.Reason == "" {
		return usagef("--reason must not be empty")
	}
	w, err := opts.writer(ctx, e)
	if err != nil {
		return err
	}
	res, err := w.Revoke(ctx, opts.Target, opts.Reason)
	if err != nil {
		return notFetched(w.Store, err)
	}
	if err := opts.push(ctx, w, res); err != nil {
		return err
	}
	return printResult(e, opts.Format, "revoked", res, "")
}
