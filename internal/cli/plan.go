package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

type planOptions struct {
	storeOptions
	Scenario string
	Tier     string
	All      bool
	Record   bool
	Check    bool
	Format   string
	Author   string
	// AllowBlocking exits 0 when a plan has a blocking secret.
	AllowBlocking bool
}

func newPlanCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "plan",
		Usage: "derive the deployment manifest of a scenario for a tier",
		Description: `Prints the manifest deployment-manager and bundlers read: every secret the
scenario uses with its classification and effective strategy on the tier,
what a bundle carries (bundle_secrets), and every blocking secret. The
output is deterministic for a revision: the same revision, scenario and tier
always give the same bytes.

Tiers are named by id (tier-2-desktop) or alias (desktop, 2).

Examples:
   secretsctl plan --scenario picker-wheel --tier desktop
   secretsctl plan -s picker-wheel -t 2 --format table
   secretsctl plan -s picker-wheel -t saas --rev v1.4.0
   secretsctl plan --all --format table
   secretsctl plan --all --record          # write plans/<scenario>/<tier>.json, one commit if changed
   secretsctl plan --all --check           # CI: fail when recorded plans are stale
   secretsctl plan -s picker-wheel -t desktop --allow-blocking   # look at a blocked plan, exit 0

A plan with a blocking secret is still printed, and plan then exits 10 (as
lint does), so that no script mistakes a blocked plan for success; with
--all, it exits 10 when any plan blocks.` + exitCodeHelp,
		Flags: append(reviewFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "scenario name"},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "tier id or alias (local, desktop, mobile, saas, enterprise, 1..5)"},
			&ucli.BoolFlag{Name: "all", Usage: "plan every scenario (or --scenario's) on every tier it ships to (or --tier)"},
			&ucli.BoolFlag{Name: "record", Usage: "write the plans to plans/<scenario>/<tier>.json and commit when they changed"},
			&ucli.BoolFlag{Name: "check", Usage: "exit 10, listing them, when recorded plans differ from the plans of this revision"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "json", Usage: "output format: json, yaml or table"},
			&ucli.StringFlag{Name: "author", Usage: `commit author for --record as "Name <email>" (default: git config)`},
			&ucli.BoolFlag{Name: "allow-blocking", Usage: "exit 0 even when a plan has a blocking secret (to look at it)"},
		),
		Commands: []*ucli.Command{newPlanDiffCommand(e)},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("plan takes no arguments (got %q); use --scenario and --tier", c.Args().First())
			}
			opts := planOptions{storeOptions: reviewOptions(c), Scenario: c.String("scenario"), Tier: c.String("tier"),
				All: c.Bool("all"), Record: c.Bool("record"), Check: c.Bool("check"), Format: c.String("format"), Author: c.String("author"),
				AllowBlocking: c.Bool("allow-blocking")}
			return runPlan(ctx, opts, e)
		},
	}
}

func readFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "rev", Usage: "read the store at this commit, tag or branch (default HEAD)"},
		&ucli.BoolFlag{Name: "worktree", Usage: "read the files on disk, committed or not (for pre-commit checks)"},
		&ucli.BoolFlag{Name: "allow-unverified", Usage: "read metadata without the private key; integrity is then reported unverified"},
	}
}

func readOptions(c *ucli.Command) storeOptions {
	return storeOptions{Store: storeFlagValue(c), Rev: c.String("rev"), Worktree: c.Bool("worktree"),
		AllowUnverified: c.Bool("allow-unverified")}
}

func runPlan(ctx context.Context, opts planOptions, e *env) error {
	if !slices.Contains([]string{"json", "yaml", "table"}, opts.Format) {
		return usagef("unknown --format %q: want json, yaml or table", opts.Format)
	}
	if opts.Record && opts.Check {
		return usagef("--record and --check cannot be combined")
	}
	if !opts.All && !opts.Record && !opts.Check && (opts.Scenario == "" || opts.Tier == "") {
		return usagef("plan needs --scenario and --tier (or --all)")
	}
	if opts.Record && (opts.Rev != "" || opts.Worktree || opts.AllowUnverified) {
		return usagef("--record plans HEAD with every document verified; it cannot be combined with --rev, --worktree or --allow-unverified")
	}
	st, sn, err := opts.open(e)
	if err != nil {
		return err
	}
	blocks := &planBlocks{allow: opts.AllowBlocking}
	if !opts.All && !opts.Record && !opts.Check {
		m, err := plan.ForSnapshot(sn, opts.Scenario, opts.Tier)
		if err != nil {
			return err
		}
		blocks.add(m)
		if err := writeManifest(e, opts.Format, m); err != nil {
			return err
		}
		return blocks.err()
	}
	pairs, err := plan.Pairs(ctx, sn, opts.Scenario, opts.Tier)
	if err != nil {
		return err
	}
	if opts.Record {
		return recordPlans(ctx, st, sn, pairs, opts, e)
	}
	if opts.Check {
		return checkPlans(ctx, sn, pairs, opts, e)
	}
	w := newManifestWriter(e, opts.Format)
	bar := newProgress(e, "planning", len(pairs))
	err = plan.Each(ctx, sn, pairs, func(m *store.Manifest) error {
		bar.step()
		blocks.add(m)
		return w.write(m)
	})
	bar.done()
	if err != nil {
		return err
	}
	if err := w.close(); err != nil {
		return err
	}
	return blocks.err()
}

// recordPlans commits the plans that changed under plans/, in one commit.
func recordPlans(ctx context.Context, st *store.Store, sn *store.Snapshot, pairs []plan.Pair, opts planOptions, e *env) error {
	author, err := parseAuthor(opts.Author)
	if err != nil {
		return err
	}
	prune := opts.All && opts.Scenario == "" && opts.Tier == ""
	ch, err := plan.RecordChange(ctx, sn, pairs, prune)
	if err != nil {
		return err
	}
	if len(ch.Files) == 0 && len(ch.Delete) == 0 {
		fmt.Fprintf(e.stdout, "recorded plans are up to date (%d checked); nothing to commit\n", len(pairs))
		return nil
	}
	ch.Author = author
	c, _, err := st.Commit(ctx, ch)
	if errors.Is(err, store.ErrConcurrentUpdate) {
		return fmt.Errorf("%w; the plans were computed from an older HEAD: run the command again", err)
	}
	if err != nil {
		return err
	}
	for _, p := range slices.Sorted(maps.Keys(ch.Files)) {
		fmt.Fprintf(e.stdout, "recorded %s\n", p)
	}
	for _, p := range ch.Delete {
		fmt.Fprintf(e.stdout, "removed %s\n", p)
	}
	fmt.Fprintf(e.stdout, "commit %s\n", c.Hash)
	return nil
}

// checkPlans fails when the recorded plans are not those of the revision.
func checkPlans(ctx context.Context, sn *store.Snapshot, pairs []plan.Pair, opts planOptions, e *env) error {
	prune := opts.All && opts.Scenario == "" && opts.Tier == ""
	ch, err := plan.RecordChange(ctx, sn, pairs, prune)
	if err != nil {
		return err
	}
	if len(ch.Files) == 0 && len(ch.Delete) == 0 {
		fmt.Fprintf(e.stdout, "recorded plans are up to date (%d checked)\n", len(pairs))
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d recorded plans are stale; run `secretsctl plan --all --record`:", len(ch.Files)+len(ch.Delete))
	for _, p := range slices.Sorted(maps.Keys(ch.Files)) {
		state := "differs from the plan"
		if _, err := sn.ReadFile(p); err != nil {
			state = "not recorded"
		}
		fmt.Fprintf(&b, "\n  %s: %s", p, state)
	}
	for _, p := range ch.Delete {
		fmt.Fprintf(&b, "\n  %s: no longer planned", p)
	}
	return checkFailed{msg: b.String()}
}

func parseAuthor(s string) (store.Author, error) {
	if s == "" {
		return store.Author{}, nil
	}
	a, err := store.ParseAuthor(s)
	if err != nil {
		return store.Author{}, usageError{err}
	}
	return a, nil
}
