package cli

import (
	"context"
	"fmt"
	"slices"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/lint"
)

type lintOptions struct {
	storeOptions
	Format string
}

func newLintCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "lint",
		Usage: "check every document and every plan of the store",
		Description: `Reports documents that do not decode, verify or match their schema, secrets
without a strategy on a tier a scenario ships to, incomplete strategies, and
infrastructure secrets planned as generate or prompt on a tier that ships to
end users. Runs without the private key (--allow-unverified and
SECRETSCTL_ALLOW_UNVERIFIED are accepted, as by the other review commands,
and change nothing): integrity is then reported unverified. Exits 10 when
it finds an error.

Examples:
   secretsctl lint
   secretsctl lint --worktree            # before committing
   secretsctl lint --format json --rev main` + exitCodeHelp,
		Flags: append(reviewFlags(),
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "output format: text, json or sarif (SARIF 2.1.0, for code scanning)"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("lint takes no arguments (got %q)", c.Args().First())
			}
			opts := lintOptions{storeOptions: readOptions(c), Format: c.String("format")}
			opts.AllowUnverified = true
			return runLint(ctx, opts, e)
		},
	}
}

func runLint(ctx context.Context, opts lintOptions, e *env) error {
	if !slices.Contains([]string{"text", "json", "sarif"}, opts.Format) {
		return usagef("unknown --format %q: want text, json or sarif", opts.Format)
	}
	st, sn, err := opts.open(e)
	if err != nil {
		return err
	}
	bar := spin(e, "linting")
	rep, err := lint.Run(ctx, sn, st.HasKey())
	bar.done()
	if err != nil {
		return err
	}
	switch opts.Format {
	case "json":
		if err := writeJSON(e, rep); err != nil {
			return err
		}
	case "sarif":
		if err := writeJSON(e, rep.SARIF(st.RepoDir())); err != nil {
			return err
		}
	default:
		for _, f := range rep.Findings {
			fmt.Fprintln(e.stdout, f.String())
			if f.Hint != "" {
				fmt.Fprintf(e.stdout, "    hint: %s\n", f.Hint)
			}
		}
		fmt.Fprintf(e.stdout, "%s, %s; integrity: %s\n", countNoun(rep.Errors, "error"), countNoun(rep.Warnings, "warning"), rep.Integrity)
	}
	if rep.Errors > 0 {
		return checkFailed{}
	}
	return nil
}
