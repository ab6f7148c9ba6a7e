package cli

import (
	"context"
	"io"
	"slices"

	ucli "github.com/urfave/cli/v2"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

type planDiffOptions struct {
	Store  string
	Base   string
	Head   string
	Format string
}

func newPlanDiffCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "diff",
		Usage: "what every scenario × tier plan does differently between two revisions",
		Description: `Plans every scenario on every tier it ships to at --base and at --head (HEAD
by default) and lists, per plan that changes, each secret whose strategy,
classification, bundle class, target, generator or delegate changed, was
added or removed. The Markdown is ready to post as a pull-request comment.

Examples:
   secretsctl plan diff --base origin/main
   secretsctl plan diff --base v1.3.0 --head v1.4.0 --format json` + exitCodeHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "base", Usage: "the revision to compare against (commit, tag or branch)", Required: true},
			&ucli.StringFlag{Name: "head", Value: "HEAD", Usage: "the revision to compare"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "markdown", Usage: "output format: markdown or json"},
			storeFlag(),
		},
		OnUsageError: func(_ *ucli.Context, err error, _ bool) error { return usageError{err} },
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("plan diff takes no arguments (got %q)", c.Args().First())
			}
			return runPlanDiff(c.Context, planDiffOptions{Store: storeFlagValue(c), Base: c.String("base"),
				Head: c.String("head"), Format: c.String("format")}, e)
		},
	}
}

func runPlanDiff(ctx context.Context, opts planDiffOptions, e *env) error {
	if !slices.Contains([]string{"markdown", "json"}, opts.Format) {
		return usagef("unknown --format %q: want markdown or json", opts.Format)
	}
	st, err := storeOptions{Store: opts.Store}.openStore(e)
	if err != nil {
		return err
	}
	base, err := st.Snapshot(store.ReadOptions{Rev: opts.Base})
	if err != nil {
		return err
	}
	head, err := st.Snapshot(store.ReadOptions{Rev: opts.Head})
	if err != nil {
		return err
	}
	d, err := plan.DiffSnapshots(ctx, base, head)
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		return writeJSON(e, d)
	}
	_, err = io.WriteString(e.stdout, d.Markdown())
	return err
}
