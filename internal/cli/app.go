package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v3"
)

// env is what a command may touch of the outside world.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	cwd    string
	// stderrTTY enables progress lines on stderr.
	stderrTTY bool
	// command is the full name of the command that ran, for usage errors.
	command string
	// quiet turns progress off: --quiet, or a machine output format.
	quiet bool
}

// Main runs secretsctl with args (args[0] is the program name) and returns
// the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "secretsctl: %v\n", err)
		return ExitError
	}
	tuneGCForCLI()
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, cwd: cwd, stderrTTY: isTerminal(stderr)}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(stderr, "secretsctl: internal error (a bug): please report it with the command you ran")
			code = ExitError
		}
	}()
	err = newApp(e).Run(context.Background(), args)
	return reportUsage(stderr, e.command, err)
}

func newApp(e *env) *ucli.Command {
	app := &ucli.Command{
		Name:    "secretsctl",
		Usage:   "a git-backed GitOps store for deployment secrets",
		Version: buildVersion(),
		Description: `secretsctl keeps every secret's classification and per-tier strategy as
SOPS-encrypted YAML in a git repository and derives deployment manifests
from it. Every change is a commit; git history is the audit trail.

Examples:
   secretsctl init ./secrets
   secretsctl plan --scenario picker-wheel --tier desktop
   secretsctl plan --all --format table
   secretsctl lint --format json`,
		Writer:    e.stdout,
		ErrWriter: e.stderr,
		Reader:    e.stdin,
		Flags:     []ucli.Flag{storeFlag(), quietFlag()},
		Commands: []*ucli.Command{
			newInitCommand(e),
			newPlanCommand(e),
			newLintCommand(e),
			newCoverageCommand(e),
			newGapsCommand(e),
			newSuggestCommand(e),
			newImportCommand(e),
			newSealCommand(e),
			newEditCommand(e),
			newRekeyCommand(e),
			newMergeDriverCommand(e),
			newIssueCommand(e),
			newRenderCommand(e),
			newRotateCommand(e),
			newRevokeCommand(e),
			newDeploymentsCommand(e),
			newAuditCommand(e),
			newRotationDueCommand(e),
			newLedgerCommand(e),
			newPromptCommand(e),
			newVerifyBundleCommand(e),
			newGetCommand(e),
			newEnvCommand(e),
			newRunCommand(e),
			newSetCommand(e),
			newUnsetCommand(e),
			newSourcesCommand(e),
			newServeCommand(e),
			newHelpCommand(e),
		},
		CustomRootCommandHelpTemplate: ucli.RootCommandHelpTemplate + exitCodeHelp,
		ExitErrHandler:                func(context.Context, *ucli.Command, error) {},
	}
	// Usage mistakes print one line to stderr, not the whole help on stdout.
	wireUsage(app, e)
	wireCompletion(app, e)
	return app
}

// onUsageError makes a parse error a usage error (wireUsage replaces it
// with one that also names the command).
func onUsageError(_ context.Context, _ *ucli.Command, err error, _ bool) error {
	return usageError{err}
}

func storeFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "store", Usage: "store directory (default: the nearest directory with secretsctl.yaml at or above the current one)", Sources: ucli.EnvVars("SECRETSCTL_STORE")}
}

// usageError marks a mistake in how the command was called.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// checkFailed is a command that ran fine and found problems (lint errors).
type checkFailed struct{ msg string }

func (c checkFailed) Error() string { return c.msg }

// report prints err and returns its exit code.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if err.Error() != "" { // a failed check or a child's exit status may have nothing to say
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "secretsctl: %s\n", line)
		}
	}
	if h := hint(err); h != "" {
		fmt.Fprintf(stderr, "secretsctl: hint: %s\n", h)
	}
	return code
}

// storeFlagValue is --store, given before or after the command (it is a
// persistent flag of the root command).
func storeFlagValue(c *ucli.Command) string {
	return c.String("store")
}
