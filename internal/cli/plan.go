package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

type planOptions struct {
	storeOptions
	Scenario string
	Tier     string
	All      bool
	Record   bool
	Format   string
	Author   string
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
   secretsctl plan --all --record          # write plans/<scenario>/<tier>.json, one commit if changed` + exitCodeHelp,
		Flags: append(readFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "scenario name"},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "tier id or alias (local, desktop, mobile, saas, enterprise, 1..5)"},
			&ucli.BoolFlag{Name: "all", Usage: "plan every scenario (or --scenario's) on every tier it ships to (or --tier)"},
			&ucli.BoolFlag{Name: "record", Usage: "write the plans to plans/<scenario>/<tier>.json and commit when they changed"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "json", Usage: "output format: json, yaml or table"},
			&ucli.StringFlag{Name: "author", Usage: `commit author for --record as "Name <email>" (default: git config)`},
		),
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("plan takes no arguments (got %q); use --scenario and --tier", c.Args().First())
			}
			opts := planOptions{storeOptions: readOptions(c), Scenario: c.String("scenario"), Tier: c.String("tier"),
				All: c.Bool("all"), Record: c.Bool("record"), Format: c.String("format"), Author: c.String("author")}
			return runPlan(c.Context, opts, e)
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

func readOptions(c *ucli.Context) storeOptions {
	return storeOptions{Store: storeFlagValue(c), Rev: c.String("rev"), Worktree: c.Bool("worktree"),
		AllowUnverified: c.Bool("allow-unverified")}
}

func runPlan(ctx context.Context, opts planOptions, e *env) error {
	if !slices.Contains([]string{"json", "yaml", "table"}, opts.Format) {
		return usagef("unknown --format %q: want json, yaml or table", opts.Format)
	}
	if !opts.All && !opts.Record && (opts.Scenario == "" || opts.Tier == "") {
		return usagef("plan needs --scenario and --tier (or --all)")
	}
	if opts.Record && (opts.Rev != "" || opts.Worktree || opts.AllowUnverified) {
		return usagef("--record plans HEAD with every document verified; it cannot be combined with --rev, --worktree or --allow-unverified")
	}
	st, sn, err := opts.open(e)
	if err != nil {
		return err
	}
	if !opts.All && !opts.Record {
		m, err := plan.ForSnapshot(sn, opts.Scenario, opts.Tier)
		if err != nil {
			return err
		}
		return writeManifest(e, opts.Format, m)
	}
	if opts.Scenario == "" {
		if err := sn.LoadAll(ctx); err != nil {
			return err
		}
	}
	pairs, err := plan.Pairs(sn, opts.Scenario, opts.Tier)
	if err != nil {
		return err
	}
	if opts.Record {
		return recordPlans(ctx, st, sn, pairs, opts, e)
	}
	w := newManifestWriter(e, opts.Format)
	bar := newProgress(e, "planning", len(pairs))
	err = plan.Each(ctx, sn, pairs, func(m *store.Manifest) error {
		bar.step()
		return w.write(m)
	})
	bar.done()
	if err != nil {
		return err
	}
	return w.close()
}

// recordPlans writes the plans that changed under plans/ in one commit.
func recordPlans(ctx context.Context, st *store.Store, sn *store.Snapshot, pairs []plan.Pair, opts planOptions, e *env) error {
	author, err := parseAuthor(opts.Author)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	msg := store.Message{Action: "plan-record"}
	err = plan.Each(ctx, sn, pairs, func(m *store.Manifest) error {
		data, err := plan.Recorded(m)
		if err != nil {
			return err
		}
		path := plan.RecordPath(m.Scenario, m.TierID)
		old, err := sn.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if !bytes.Equal(old, data) {
			files[path] = data
			msg.Scenarios = appendUnique(msg.Scenarios, m.Scenario)
			msg.Tiers = appendUnique(msg.Tiers, m.TierID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var stale []string
	if opts.All && opts.Scenario == "" && opts.Tier == "" {
		if stale, err = stalePlans(sn, pairs); err != nil {
			return err
		}
	}
	if len(files) == 0 && len(stale) == 0 {
		fmt.Fprintf(e.stdout, "recorded plans are up to date (%d checked); nothing to commit\n", len(pairs))
		return nil
	}
	msg.Subject = recordSubject(files, msg)
	c, _, err := st.Commit(ctx, store.Change{Files: files, Delete: stale, Message: msg, Author: author, Parent: sn.Revision})
	if errors.Is(err, store.ErrConcurrentUpdate) {
		return fmt.Errorf("%w; the plans were computed from an older HEAD: run the command again", err)
	}
	if err != nil {
		return err
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(e.stdout, "recorded %s\n", p)
	}
	for _, p := range stale {
		fmt.Fprintf(e.stdout, "removed %s\n", p)
	}
	fmt.Fprintf(e.stdout, "commit %s\n", c.Hash)
	return nil
}

// stalePlans lists recorded plans of scenario × tier pairs that no longer
// exist (a scenario removed, a tier no longer shipped).
func stalePlans(sn *store.Snapshot, pairs []plan.Pair) ([]string, error) {
	current := map[string]bool{}
	for _, p := range pairs {
		current[plan.RecordPath(p.Scenario, p.Tier)] = true
	}
	recorded, err := sn.Files("plans")
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, f := range recorded {
		if strings.HasSuffix(f, ".json") && !current[f] {
			stale = append(stale, f)
		}
	}
	return stale, nil
}

func recordSubject(files map[string][]byte, msg store.Message) string {
	if len(files) == 0 {
		return "plan: remove stale recorded plans"
	}
	if len(files) == 1 {
		return fmt.Sprintf("plan: record %s on %s", msg.Scenarios[0], msg.Tiers[0])
	}
	return fmt.Sprintf("plan: record %d plans of %d scenarios", len(files), len(msg.Scenarios))
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

func appendUnique(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
