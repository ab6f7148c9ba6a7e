package cli

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/resolve"
)

type sourcesOptions struct {
	localOptions
	Check  bool
	Format string
}

func newSourcesCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "sources",
		Usage: "list the sources of secret values for local development, and check they can be read",
		Description: `Lists the sources get, env and run read, in order: the sources list of
secretsctl.yaml, or the developer's override in
$XDG_CONFIG_HOME/secretsctl/sources.yaml ($SECRETSCTL_SOURCES_FILE), or the
built-in defaults. With --check each is tried: the vault file decrypts, the
.env file parses, Vault answers and accepts the token. A vault file that does
not exist yet is an empty vault (ok, noted as empty; secretsctl set creates
it). Exits 10 when a source that is not optional cannot be read.

Examples:
   secretsctl sources
   secretsctl sources --check
   secretsctl sources --check --format json -s picker-wheel` + exitCodeHelp,
		Flags: append(localFlags(false),
			&ucli.BoolFlag{Name: "check", Usage: "try each source and report the ones that cannot be read"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "table", Usage: "output format: table or json"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("sources takes no arguments (got %q)", c.Args().First())
			}
			return runSources(ctx, sourcesOptions{localOptions: readLocalOptions(c, e), Check: c.Bool("check"), Format: c.String("format")}, e)
		},
	}
}

func runSources(ctx context.Context, opts sourcesOptions, e *env) error {
	if !slices.Contains([]string{"table", "json"}, opts.Format) {
		return usagef("unknown --format %q: want table or json", opts.Format)
	}
	_, sn, err := opts.open(e)
	if err != nil {
		return err
	}
	sts, from, err := resolve.Check(ctx, sn, opts.Scenario, opts.Check, opts.resolveOptions(e))
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		err = writeJSON(e, struct {
			ConfiguredIn string           `json:"configured_in"`
			Sources      []resolve.Status `json:"sources"`
		}{from, sts})
	} else {
		err = sourcesTable(e, from, sts)
	}
	if err != nil {
		return err
	}
	failed := 0
	for _, s := range sts {
		if s.Error != "" && !s.Optional {
			failed++
		}
	}
	if failed > 0 {
		return checkFailed{msg: fmt.Sprintf("%d of %d sources cannot be read", failed, len(sts))}
	}
	return nil
}

func sourcesTable(e *env, from string, sts []resolve.Status) error {
	fmt.Fprintf(e.stdout, "sources from %s, in order:\n\n", from)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tOPTIONAL\tREADS\tSTATUS")
	for _, s := range sts {
		status := "-"
		switch {
		case s.Checked && s.Note != "":
			status = "ok (" + s.Note + ")"
		case s.Checked && s.Error == "":
			status = "ok"
		case s.Checked && s.Optional:
			status = "unreadable, skipped (optional): " + s.Error
		case s.Checked:
			status = "UNREADABLE: " + s.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%t\t%s\t%s\n", s.Name, s.Kind, s.Optional, s.Reads, status)
	}
	return tw.Flush()
}
