package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

// wireUsage makes every command report usage mistakes in one line naming
// the command: it records which command ran (in e.command), rewrites
// urfave/cli's parse errors, and gives commands that only group
// subcommands an action that refuses an unknown one with a suggestion.
func wireUsage(app *ucli.Command, e *env) {
	_ = app.Walk(func(c *ucli.Command) error {
		wireCommand(c, e)
		return nil
	})
}

// wireCommand is wireUsage for one command.
func wireCommand(c *ucli.Command, e *env) {
	c.OnUsageError = func(_ context.Context, c *ucli.Command, err error, _ bool) error {
		e.command = c.FullName()
		return usageError{rewriteUsage(c, err)}
	}
	action := c.Action
	if action == nil {
		action = groupAction
	}
	c.Action = func(ctx context.Context, c *ucli.Command) error {
		e.command = c.FullName()
		e.quiet = c.Bool("quiet") || machineFormat(c.String("format"))
		return action(ctx, c)
	}
}

// groupAction runs for a command with subcommands when none was named:
// no argument shows its help, anything else is an unknown command.
func groupAction(_ context.Context, c *ucli.Command) error {
	switch {
	case c.NArg() == 0 && c.Root() == c:
		return ucli.ShowRootCommandHelp(c)
	case c.NArg() == 0:
		return ucli.ShowSubcommandHelp(c)
	}
	return unknownCommand(c, c.Args().First())
}

// unknownCommand is the usage error for a command name c does not have,
// with the nearest one it has.
func unknownCommand(c *ucli.Command, name string) error {
	var names []string
	for _, sub := range c.VisibleCommands() {
		names = append(names, sub.Names()...)
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if s := nearestName(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return usagef("%s", msg)
}

// nearestName is store.Suggest, else the one candidate name starts with.
func nearestName(name string, candidates []string) string {
	if s := store.Suggest(name, candidates); s != "" {
		return s
	}
	var match string
	for _, c := range candidates {
		if strings.HasPrefix(c, name) {
			if match != "" {
				return ""
			}
			match = c
		}
	}
	return match
}

// rewriteUsage turns urfave/cli's wording of a parse error into ours: the
// required flags as --name, an unknown flag with the nearest known one.
func rewriteUsage(c *ucli.Command, err error) error {
	msg := err.Error()
	if missing := missingRequired(c); len(missing) > 0 && strings.HasPrefix(msg, "Required flag") {
		verb := "is"
		if len(missing) > 1 {
			verb = "are"
		}
		return fmt.Errorf("%s %s required", joinAnd(missing), verb)
	}
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		out := fmt.Sprintf("unknown flag %s", dashed(name))
		if s := nearestName(name, flagNames(c)); s != "" {
			out += fmt.Sprintf(" (did you mean %s?)", dashed(s))
		}
		return fmt.Errorf("%s", out)
	}
	return err
}

// missingRequired lists c's required flags that were not given, as --name.
func missingRequired(c *ucli.Command) []string {
	var out []string
	for _, f := range c.Flags {
		if r, ok := f.(ucli.RequiredFlag); ok && r.IsRequired() && !f.IsSet() {
			out = append(out, dashed(f.Names()[0]))
		}
	}
	return out
}

// flagNames lists every name of c's flags and of the persistent ones it
// inherits.
func flagNames(c *ucli.Command) []string {
	var out []string
	for _, cmd := range c.Lineage() {
		for _, f := range cmd.VisibleFlags() {
			out = append(out, f.Names()...)
		}
	}
	return out
}

func dashed(name string) string {
	if len([]rune(name)) == 1 {
		return "-" + name
	}
	return "--" + name
}

// joinAnd joins names as "a", "a and b", "a, b and c".
func joinAnd(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// reportUsage prints a usage mistake of command (its full name) in one
// line with a pointer to its help, and returns ExitUsage. Anything else,
// or a mistake of several lines, goes to report.
func reportUsage(stderr io.Writer, command string, err error) int {
	if err == nil || command == "" || exitCode(err) != ExitUsage || strings.Contains(err.Error(), "\n") {
		return report(stderr, err)
	}
	fmt.Fprintf(stderr, "%s: %s; see '%s --help'\n", command, err.Error(), command)
	return ExitUsage
}
