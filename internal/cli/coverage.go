package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/coverage"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

type coverageOptions struct {
	storeOptions
	Scenario string
	Tier     string
	Min      float64
	Format   string
	// Out is the file to write; stdout when empty.
	Out string
}

var coverageFormats = []string{"table", "json", "html", "svg"}

func newCoverageCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "coverage",
		Usage: "share of secrets with an explicit strategy, per scenario × tier",
		Description: `Plans every scenario on every tier it ships to and reports how many of its
secrets have an explicit strategy. With --min, exits 10 when any scenario ×
tier is below the bar and names the secrets that are missing one.

--format html writes the scenario × tier matrix as one standalone page
(inline CSS, no script, nothing fetched) for a CI artifact: every tier is a
column, each cell coloured ready (every secret strategized), blocking (some
secret blocks the plan) or not shipped, with counts and a legend. --format
svg writes a compact picture of the same matrix for a README badge or a
pull-request comment. --out writes to a file (replaced atomically) instead
of stdout.

Examples:
   secretsctl coverage
   secretsctl coverage --scenario picker-wheel --format json
   secretsctl coverage --min 100                 # a CI gate
   secretsctl coverage --format html --out coverage.html
   secretsctl coverage --format svg --out docs/coverage.svg` + exitCodeHelp,
		Flags: append(reviewFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "only this scenario"},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "only this tier (id or alias)"},
			&ucli.Float64Flag{Name: "min", Value: -1, DefaultText: "off", Usage: "fail when any scenario × tier is below this percentage (0-100)"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "table", Usage: "output format: table, json, html or svg"},
			&ucli.StringFlag{Name: "out", Usage: "write to this file instead of stdout"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("coverage takes no arguments (got %q)", c.Args().First())
			}
			opts := coverageOptions{storeOptions: reviewOptions(c), Scenario: c.String("scenario"), Tier: c.String("tier"),
				Min: c.Float64("min"), Format: c.String("format"), Out: c.String("out")}
			return runCoverage(ctx, opts, e)
		},
	}
}

func runCoverage(ctx context.Context, opts coverageOptions, e *env) error {
	if !slices.Contains(coverageFormats, opts.Format) {
		return usagef("unknown --format %q: want %s", opts.Format, strings.Join(coverageFormats, ", "))
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
	if err := writeCoverage(e, opts, sn, rep); err != nil || opts.Min < 0 {
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

// writeCoverage prints rep in opts.Format to stdout or to opts.Out.
func writeCoverage(e *env, opts coverageOptions, sn *store.Snapshot, rep *coverage.Report) error {
	return writeOutput(e, opts.Out, func(w io.Writer) error {
		switch opts.Format {
		case "json":
			return writeJSON(e.withStdout(w), rep)
		case "html", "svg":
			tiers := sn.Tiers().Tiers()
			if opts.Tier != "" {
				t, err := sn.Tiers().Resolve(opts.Tier)
				if err != nil {
					return err
				}
				tiers = []store.Tier{t}
			}
			names := sn.ScenarioNames()
			if opts.Scenario != "" {
				names = []string{opts.Scenario}
			}
			m := coverage.NewMatrix(rep, tiers, names)
			if opts.Format == "svg" {
				return coverage.WriteSVG(w, m)
			}
			return coverage.WriteHTML(w, m)
		}
		return coverageTable(e.withStdout(w), rep)
	})
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
