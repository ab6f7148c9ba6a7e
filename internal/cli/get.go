package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/resolve"
)

type getOptions struct {
	localOptions
	ID     string
	Reveal bool
	Format string
}

func newGetCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "get",
		Usage:     "print one secret's value for local development, from the configured sources",
		ArgsUsage: "ID",
		Description: `Looks ID (owner/KEY, such as postgres/POSTGRES_PASSWORD) up in the sources of
secretsctl.yaml (the filesystem vault, .env files, HashiCorp Vault; see
secretsctl sources), in order. With --scenario the secret is looked up the way
that scenario's plan on --tier names it.

When stdout is not a terminal the value is printed as it is, without a final
newline, for $(...) and pipes. On a terminal only its source and a masked
preview are shown, unless --reveal. --format json adds the provenance (file,
.env line, Vault path and version).

Examples:
   secretsctl get postgres/POSTGRES_PASSWORD
   secretsctl get --reveal postgres/POSTGRES_PASSWORD
   PGPASSWORD=$(secretsctl get postgres/POSTGRES_PASSWORD) psql
   secretsctl get -s picker-wheel --format json picker-wheel/SESSION_SECRET` + exitCodeHelp,
		Flags: append(localFlags(false),
			&ucli.BoolFlag{Name: "reveal", Usage: "print the value on a terminal too"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "output format: text or json"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 1 {
				return usagef("get takes exactly one secret ID (owner/KEY), got %d arguments", c.NArg())
			}
			opts := getOptions{localOptions: readLocalOptions(c, e), ID: c.Args().First(), Reveal: c.Bool("reveal"), Format: c.String("format")}
			return runGet(ctx, opts, e)
		},
	}
}

func runGet(ctx context.Context, opts getOptions, e *env) error {
	if !slices.Contains([]string{"text", "json"}, opts.Format) {
		return usagef("unknown --format %q: want text or json", opts.Format)
	}
	v, err := resolveOne(ctx, opts.localOptions, opts.ID, e)
	if err != nil {
		return err
	}
	tty := isTerminal(e.stdout)
	reveal := opts.Reveal || !tty
	if opts.Format == "json" {
		out := getJSON{ID: v.ID, Env: v.Env, Source: v.Source, Length: utf8.RuneCountInString(v.Value)}
		if reveal {
			out.Value = &v.Value
		}
		return writeJSON(e, out)
	}
	if reveal {
		_, err := fmt.Fprint(e.stdout, v.Value)
		if tty {
			fmt.Fprintln(e.stdout)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "%s  %s  from %s\n", v.ID, mask(v.Value), v.Source)
	fmt.Fprintln(e.stderr, "secretsctl: hint: the value is hidden on a terminal; --reveal prints it")
	return nil
}

// getJSON is get --format json; value is omitted unless revealed.
type getJSON struct {
	ID     string             `json:"id"`
	Env    string             `json:"env"`
	Value  *string            `json:"value,omitempty"`
	Length int                `json:"length"`
	Source resolve.Provenance `json:"source"`
}

// mask shows a value's length, and its first two characters when it is
// long enough that they give little away.
func mask(v string) string {
	n := utf8.RuneCountInString(v)
	if n < 16 {
		return strings.Repeat("*", 8) + fmt.Sprintf(" (%d chars)", n)
	}
	r := []rune(v)
	return string(r[:2]) + strings.Repeat("*", 6) + fmt.Sprintf(" (%d chars)", n)
}
