package cli

import (
	"context"
	"fmt"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/ledger"
)

type issueOptions struct {
	ledgerOptions
	Scenario, Tier, Deployment, Out string
}

func newIssueCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "issue",
		Usage: "generate a deployment's bundle-time secrets, render them and record them in the ledger",
		Description: `Generates every secret the plan of the scenario on the tier makes at bundle
time (strategy generate, at: bundle), renders their targets into --out and
commits one new SOPS-encrypted ledger file under
deployments/<scenario>/<deployment>/ holding each value encrypted with its
keyed fingerprint. The commit goes to the ledger branch (secretsctl/ledger,
or ledger.branch of secretsctl.yaml), never to the checked-out branch: the
work tree, the index and HEAD are left as they are, so issue works from any
branch, a detached HEAD or a bare clone (--store repo.git). Issuing a
deployment again renders the same values and commits nothing (only secrets
the plan gained since are generated).

Nothing reaches --out before the event is committed: the bundle is rendered
and checked in a private directory (.secretsctl-stage-*, mode 0700) next to
--out and renamed into it after the commit. When the commit fails (the
ledger ref's lock is held: exit 1) --out is left as it was. SIGINT, SIGTERM
or SIGHUP stop issue: the stage is removed, nothing reaches --out, exit 1.
The stage an issue killed otherwise (SIGKILL) leaves is removed by the next
issue or render next to --out.

An infrastructure secret planned for a tier that ships to end users is
never generated (exit 4). --out must lie outside the store's git work tree.
The fingerprint key is the store's (deployments/fingerprint-key.yaml,
created on first use) or SECRETSCTL_FINGERPRINT_KEY (hex).

Examples:
   secretsctl issue --scenario picker-wheel --tier saas --deployment acme-prod --out ./bundle
   secretsctl issue -s picker-wheel -t 4 -d acme-prod --out ./bundle --push
   secretsctl issue -s picker-wheel -t saas -d acme-prod --out ./bundle --format json` + exitCodeHelp,
		Flags: append(ledgerWriteFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "scenario name", Required: true},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "tier id or alias", Required: true},
			&ucli.StringFlag{Name: "deployment", Aliases: []string{"d"}, Usage: "deployment id ([a-z0-9][a-z0-9._-]*)", Required: true},
			&ucli.StringFlag{Name: "out", Usage: "output directory for the rendered files", Required: true},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("issue takes no arguments (got %q)", c.Args().First())
			}
			opts := issueOptions{ledgerOptions: ledgerWriteOptions(c), Scenario: c.String("scenario"), Tier: c.String("tier"),
				Deployment: c.String("deployment"), Out: c.String("out")}
			return ledgerErr(runIssue(ctx, opts, e))
		},
	}
}

func runIssue(ctx context.Context, opts issueOptions, e *env) error {
	w, err := opts.writer(ctx, e)
	if err != nil {
		return err
	}
	out, err := outDir(e, w.Store, opts.Out)
	if err != nil {
		return err
	}
	// SPEC §9: issue scans its own output for infrastructure and stripped
	// values, as verify-bundle does, and commits nothing when one is there.
	w.Check = issueBundleCheck(e)
	// The bundle reaches --out only once its event is committed.
	retry := fmt.Sprintf("run `secretsctl render -d %s --out %s` to write it", opts.Deployment, opts.Out)
	res, err := staged(ctx, out, "the values are recorded in the ledger", retry, func(ctx context.Context, stage string) (*ledger.Result, error) {
		req := ledger.IssueRequest{Scenario: opts.Scenario, Tier: opts.Tier, Deployment: opts.Deployment, Out: out, Stage: stage}
		return w.Issue(ctx, req)
	})
	if err != nil {
		return err
	}
	if err := opts.push(ctx, w, res); err != nil {
		return err
	}
	return printResult(e, opts.Format, "issued", res, out)
}

type renderOptions struct {
	ledgerOptions
	Scenario, Deployment, Out string
}

func newRenderCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "render",
		Usage: "rebuild a deployment's bundle from the ledger",
		Description: `Renders the active values the ledger holds for a deployment into --out, with
the plan of the revision its latest event recorded: the same files issue
wrote. Generates nothing and commits nothing; needs the private key. A
revoked deployment, and an infrastructure secret on a tier that ships to end
users, are refused.

Examples:
   secretsctl render --deployment acme-prod --out ./bundle
   secretsctl render -d acme-prod --scenario picker-wheel --out ./bundle` + exitCodeHelp,
		Flags: append(ledgerWriteFlags()[2:],
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "scenario of the deployment (needed only when the id is used by several)"},
			&ucli.StringFlag{Name: "deployment", Aliases: []string{"d"}, Usage: "deployment id", Required: true},
			&ucli.StringFlag{Name: "out", Usage: "output directory for the rendered files", Required: true},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("render takes no arguments (got %q)", c.Args().First())
			}
			opts := renderOptions{ledgerOptions: ledgerWriteOptions(c), Scenario: c.String("scenario"),
				Deployment: c.String("deployment"), Out: c.String("out")}
			return ledgerErr(runRender(ctx, opts, e))
		},
	}
}

func runRender(ctx context.Context, opts renderOptions, e *env) error {
	w, err := opts.writer(ctx, e)
	if err != nil {
		return err
	}
	out, err := outDir(e, w.Store, opts.Out)
	if err != nil {
		return err
	}
	res, err := staged(ctx, out, "the bundle was rendered", "run the command again", func(ctx context.Context, dir string) (*ledger.Result, error) {
		return w.Render(ctx, ledger.Target{Scenario: opts.Scenario, Deployment: opts.Deployment}, dir)
	})
	if err != nil {
		return notFetched(w.Store, err)
	}
	return printResult(e, opts.Format, "rendered", res, out)
}
