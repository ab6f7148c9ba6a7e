package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/dotenv"
	"github.com/secretsctl/secretsctl/resolve"
)

type envOptions struct {
	localOptions
	Format string
}

func newEnvCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "env",
		Usage: "print a scenario's secrets as environment variables (dotenv, shell or JSON with provenance)",
		Description: `Resolves every secret the scenario's plan on --tier (default local) lists,
from the configured sources in order, and prints them: as a .env file
(dotenv, double-quoted, read back exactly by docker compose and secretsctl),
as shell export lines (shell, for eval), or as JSON with where each value
came from (json: vault file and revision, .env path and line, Vault address,
path and version). A required secret no source has fails the command with
all of them listed, unless --allow-missing.

The values go to stdout: prefer secretsctl run, which never writes them
anywhere.

Examples:
   secretsctl env --scenario picker-wheel
   eval "$(secretsctl env -s picker-wheel --format shell)"
   secretsctl env -s picker-wheel --format json | jq '.values[] | {id, source}'` + exitCodeHelp,
		Flags: append(localFlags(true),
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "dotenv", Usage: "output format: dotenv, shell or json"},
			&ucli.BoolFlag{Name: "allow-missing", Usage: "print what was found even when required secrets are missing"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("env takes no arguments (got %q); use --scenario", c.Args().First())
			}
			return runEnv(ctx, envOptions{localOptions: readLocalOptions(c, e), Format: c.String("format")}, e)
		},
	}
}

func runEnv(ctx context.Context, opts envOptions, e *env) error {
	if !slices.Contains([]string{"dotenv", "shell", "json"}, opts.Format) {
		return usagef("unknown --format %q: want dotenv, shell or json", opts.Format)
	}
	res, err := resolveScenario(ctx, opts.localOptions, e)
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		if res.Values == nil {
			res.Values = []resolve.Value{}
		}
		if res.Missing == nil {
			res.Missing = []resolve.Missing{}
		}
		return writeJSON(e, res)
	}
	var b strings.Builder
	for _, v := range res.Values {
		if err := resolve.CheckEnvName(v); err != nil {
			return coded{err, ExitInvalid}
		}
		if opts.Format == "shell" {
			fmt.Fprintf(&b, "export %s=%s\n", v.Env, shellQuote(v.Value))
		} else {
			fmt.Fprintf(&b, "%s=%s\n", v.Env, dotenv.Quote(v.Value))
		}
	}
	_, err = fmt.Fprint(e.stdout, b.String())
	return err
}

// shellQuote single-quotes s for POSIX shells.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
