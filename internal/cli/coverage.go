package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/secretsctl/secretsctl/internal/coverage"
	"github.com/secretsctl/secretsctl/internal/plan"
)

type coverageOptions struct {
	storeOptions
	Scenario string
	Tier     string
	Min      float64
	Format   string
}

func newCoverageCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "coverage",
		Usage: "share of secrets with an explicit strategy, per scenario × tier",
		Description: `Plans every scenario on every tier it ships to and reports how many of its
secrets have an explicit strategy. With --min, exits 10 when any scenario ×
tier is below the bar and names the secrets that are missing one.

Examples:
   secretsctl coverage
   secretsctl coverage --scenario picker-wheel --format json
   secretsctl coverage --min 100                 # a CI gate` + exitCodeHelp,
		Flags: append(readFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "only this scenario"},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "only this tier (id or alias)"},
			&ucli.Float64Flag{Name: "min", Value: -1, Usage: "fail when any scenario × tier is below this percentage (0-100)"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "table", Usage: "output format: table or json"},
		),
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("coverage takes no arguments (got %q)", c.Args().First())
			}
			opts := coverageOptions{storeOptions: readOptions(c), Scenario: c.String("scenario"), Tier: c.String("tier"),
				Min: c.Float64("min"), Format: c.String("format")}
			return runCoverage(c.Context, opts, e)
		},
	}
}

func runCoverage(ctx context.Context, opts coverageOptions, e *env) error {
	if !slices.Contains([]string{"table", "json"}, opts.Format) {
		return usagef("unknown --format %q: want table or json", opts.Format)
	}
	if opts.Min > 100 || (opts.Min < 0 && opts.Min != -1) {
		return usagef("--min %v: want a percentage from 0 to 100", opts.Min)
	}
	_, sn, err := opts.open(e)
	if err != nil {
		return err
	}
	pairs, err := plan.Pairs(ctx, sn, opts.Scenario, opts.Tier)
	if err != nil {
		return err
	}
	rep, err := coverage.Compute(ctx, sn, pairs)
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		err = writeJSON(e, rep)
	} else {
		err = coverageTable(e, rep)
	}
	if err != nil || opts.Min < 0 {
		return err
	}
	below := rep.Below(opts.Min)
	if len(below) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d scenario × tier pairs are below %v%%:", len(below), opts.Min)
	for _, row := range below {
		fmt.Fprintf(&b, "\n  %s on %s: %v%%, missing %s", row.Scenario, row.Tier, row.Percent, strings.Join(row.Missing, ", "))
	}
	return checkFailed{msg: b.String()}
}

func coverageTable(e *env, rep *coverage.Report) error {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tTIER\tSTRATEGIZED\tTOTAL\tCOVERAGE\tMISSING")
	for _, row := range rep.Rows {
		missing := strings.Join(row.Missing, ", ")
		if missing == "" {
			missing = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f%%\t%s\n", row.Scenario, row.Tier, row.Strategized, row.Total, row.Percent, missing)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(e.stdout, "\n%d of %d secrets strategized over %d scenario × tier pairs: %.1f%%\n",
		rep.Strategized, rep.Total, len(rep.Rows), rep.Percent)
	return err
}
