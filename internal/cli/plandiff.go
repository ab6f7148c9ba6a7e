package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

type planDiffOptions struct {
	Store  string
	Base   string
	Head   string
	Format string
	// TwoDot compares Base and Head tip to tip instead of from their merge
	// base.
	TwoDot          bool
	AllowUnverified bool
}

func newPlanDiffCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "diff",
		Usage: "what every scenario × tier plan does differently between two revisions",
		Description: `Plans every scenario on every tier it ships to at the merge base of --base
and --head (HEAD by default) and at --head, and lists, per plan that
changes, each secret whose strategy, classification, bundle class, target,
generator or delegate changed, was added or removed: what the branch
changes, as a pull request shows it (git's base...head, three-dot). Changes
made on --base after the branch point are not shown. --two-dot compares
the two revisions tip to tip instead (base..head). The header says which.
The Markdown is ready to post as a pull-request comment.

Without a private key, --allow-unverified (or SECRETSCTL_ALLOW_UNVERIFIED=1)
reads the documents without checking their MAC or seal; the output then
says integrity: unverified.

Examples:
   secretsctl plan diff --base origin/main
   secretsctl plan diff --base origin/main --allow-unverified   # CI without a key
   secretsctl plan diff --base v1.3.0 --head v1.4.0 --two-dot --format json` + exitCodeHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "base", Usage: "the revision to compare against (commit, tag or branch)", Required: true},
			&ucli.StringFlag{Name: "head", Value: "HEAD", Usage: "the revision to compare"},
			&ucli.BoolFlag{Name: "two-dot", Usage: "compare --base and --head tip to tip, not from their merge base"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "markdown", Usage: "output format: markdown or json"},
			allowUnverifiedFlag(),
		},
		OnUsageError: onUsageError,
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("plan diff takes no arguments (got %q)", c.Args().First())
			}
			return runPlanDiff(ctx, planDiffOptions{Store: storeFlagValue(c), Base: c.String("base"),
				Head: c.String("head"), Format: c.String("format"), TwoDot: c.Bool("two-dot"),
				AllowUnverified: c.Bool("allow-unverified")}, e)
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
	baseRev, mode, err := diffBase(st, opts)
	if err != nil {
		return err
	}
	read := store.ReadOptions{AllowUnverified: opts.AllowUnverified}
	read.Rev = baseRev
	base, err := st.Snapshot(read)
	if err != nil {
		return err
	}
	read.Rev = opts.Head
	head, err := st.Snapshot(read)
	if err != nil {
		return err
	}
	d, err := plan.DiffSnapshots(ctx, base, head)
	if err != nil {
		return err
	}
	d.BaseRef, d.HeadRef, d.Mode = opts.Base, opts.Head, mode
	if opts.Format == "json" {
		return writeJSON(e, d)
	}
	_, err = io.WriteString(e.stdout, d.Markdown())
	return err
}

// diffBase is the revision the head is compared against: the merge base of
// --base and --head, or --base itself with --two-dot.
func diffBase(st *store.Store, opts planDiffOptions) (string, string, error) {
	if opts.TwoDot {
		return opts.Base, plan.ModeTwoDot, nil
	}
	mb, err := st.MergeBase(opts.Base, opts.Head)
	if errors.Is(err, store.ErrNoCommonHistory) {
		return "", "", fmt.Errorf("%w; pass --two-dot to compare them tip to tip", err)
	}
	if err != nil {
		return "", "", err
	}
	return mb.Hash, plan.ModeThreeDot, nil
}
