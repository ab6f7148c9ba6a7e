package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	ucli "github.com/urfave/cli/v3"
)

type runOptions struct {
	localOptions
	Command []string
}

func newRunCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "run",
		Usage:     "run a command with a scenario's secrets in its environment",
		ArgsUsage: "-- CMD [ARG...]",
		Description: `Resolves every secret the scenario's plan on --tier (default local) lists,
from the configured sources, and runs CMD with them added to its
environment (a value replaces a variable of the same name). The values are
never put in any command line and never written to disk; only the child's
environment holds them.

SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are forwarded to the
child. secretsctl exits with the child's exit code, or 128+N when the child
is killed by signal N. A required secret no source has fails before CMD
starts, listing all of them, unless --allow-missing.

Examples:
   secretsctl run --scenario picker-wheel -- npm start
   secretsctl run -s picker-wheel -- sh -c 'psql "postgres://$POSTGRES_USER:$POSTGRES_PASSWORD@localhost"'
   secretsctl run -s picker-wheel -t desktop --allow-missing -- ./smoke-test

Once CMD runs, secretsctl exits with CMD's exit code (128+N when a signal N
killed it); before that, with its own.` + exitCodeHelp,
		Flags: append(localFlags(true),
			&ucli.BoolFlag{Name: "allow-missing", Usage: "run even when required secrets are missing"},
		),
		// Everything from CMD on is CMD's, -- or not: its flags are not ours.
		StopOnNthArg: new(1),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() == 0 {
				return usagef("run needs a command: secretsctl run --scenario S -- CMD [ARG...]")
			}
			return runRun(ctx, runOptions{localOptions: readLocalOptions(c, e), Command: c.Args().Slice()}, e)
		},
	}
}

// childExit is a child's non-zero exit status, passed through as
// secretsctl's. It prints nothing.
type childExit int

func (c childExit) Error() string { return "" }

// ExitCode makes the child's status secretsctl's.
func (c childExit) ExitCode() int { return int(c) }

func runRun(ctx context.Context, opts runOptions, e *env) error {
	res, err := resolveScenario(ctx, opts.localOptions, e)
	if err != nil {
		return err
	}
	path, err := exec.LookPath(opts.Command[0])
	if err != nil {
		return usagef("%s: command not found", opts.Command[0])
	}
	cmd := exec.Command(path, opts.Command[1:]...)
	cmd.Args[0] = opts.Command[0]
	values, err := res.Environ()
	if err != nil {
		return coded{err, ExitInvalid}
	}
	cmd.Env = mergeEnv(os.Environ(), values)
	cmd.Dir = e.cwd
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	return runChild(cmd)
}

// forwarded are the signals run passes on to the child.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// runChild starts cmd, forwards signals to it until it exits, and returns
// its exit status as a childExit (nil for 0).
func runChild(cmd *exec.Cmd) error {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", cmd.Args[0], err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return childExit(128 + int(ws.Signal()))
		}
		return childExit(ee.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("run %s: %w", cmd.Args[0], err)
	}
	return nil
}

// mergeEnv returns base with the NAME=value pairs of add set, replacing
// variables of the same name.
func mergeEnv(base, add []string) []string {
	names := make(map[string]bool, len(add))
	for _, kv := range add {
		name, _, _ := strings.Cut(kv, "=")
		names[name] = true
	}
	out := make([]string, 0, len(base)+len(add))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if !names[name] {
			out = append(out, kv)
		}
	}
	return append(out, add...)
}
