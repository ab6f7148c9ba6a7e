package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	ucli "github.com/urfave/cli/v3"
)

// exitCodesTopic is the help topic that prints the exit-code table.
const exitCodesTopic = "exit-codes"

// exitCodeHelp ends every command's description: the exit codes live in
// one table (secretsctl help exit-codes, and the README), not in each help.
const exitCodeHelp = "\n\nExit codes: see 'secretsctl help " + exitCodesTopic + "'.\n"

func newHelpCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "help",
		Usage:     "show help for a command, or the exit codes (help " + exitCodesTopic + ")",
		ArgsUsage: "[COMMAND [SUBCOMMAND]] | " + exitCodesTopic,
		Action: func(ctx context.Context, c *ucli.Command) error {
			return runHelp(ctx, c.Root(), c.Args().Slice(), e)
		},
	}
}

// runHelp shows root's help, a (sub)command's, or the exit-code table.
func runHelp(ctx context.Context, root *ucli.Command, args []string, e *env) error {
	if len(args) == 1 && args[0] == exitCodesTopic {
		writeExitCodes(e.stdout)
		return nil
	}
	if len(args) == 0 {
		return ucli.ShowRootCommandHelp(root)
	}
	e.command = root.Name // an unknown name is the root's usage mistake
	parent := root
	for i, name := range args {
		cmd := parent.Command(name)
		if cmd == nil {
			return unknownCommand(parent, name)
		}
		if i == len(args)-1 {
			return ucli.ShowCommandHelp(ctx, parent, name)
		}
		parent = cmd
	}
	return nil
}

// writeExitCodes prints the exit-code table.
func writeExitCodes(w io.Writer) {
	var b strings.Builder
	b.WriteString("secretsctl exits with one of these codes (run also passes on its command's):\n\n")
	for _, c := range ExitCodes {
		fmt.Fprintf(&b, "  %2d  %s\n", c.Code, c.Meaning)
	}
	fmt.Fprint(w, b.String())
}
