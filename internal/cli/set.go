package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/term"

	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

type setOptions struct {
	Store  string
	ID     string
	Scope  string
	Author string
	Unset  bool
}

// maxValueSize bounds a value read from stdin.
const maxValueSize = 1 << 20

func newSetCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "set",
		Usage:     "store a secret's value for local development in the filesystem vault (one commit)",
		ArgsUsage: "ID",
		Description: `Reads the value of ID (owner/KEY, declared by a resource or scenario) from
stdin, or, on a terminal, from a prompt that does not echo (asked twice),
never from an argument. One final newline is removed from stdin. The value
must match the secret's validation_pattern. It is written SOPS-encrypted to
vault/<scope>.yaml (the first filesystem source's scope, default local) and
committed: one commit whose message names the id, never the value. Setting
the value it already has commits nothing.

Examples:
   secretsctl set postgres/POSTGRES_PASSWORD            # prompts
   printf %s "$PW" | secretsctl set postgres/POSTGRES_PASSWORD
   secretsctl set --scope staging n8n/N8N_PASSWORD < pw.txt` + exitCodeHelp,
		Flags: writeVaultFlags(),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 1 {
				return usagef("set takes exactly one secret ID; the value comes from stdin or a prompt, never from an argument")
			}
			return runSet(ctx, setOptions{Store: storeFlagValue(c), ID: c.Args().First(), Scope: c.String("scope"), Author: c.String("author")}, e)
		},
	}
}

func newUnsetCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "unset",
		Usage:     "remove a secret's value from the filesystem vault (one commit)",
		ArgsUsage: "ID",
		Description: `Removes ID from vault/<scope>.yaml (the first filesystem source's scope,
default local) and commits. Git history keeps the old, encrypted file: to
retire a leaked value, rotate it at its origin.

Examples:
   secretsctl unset postgres/POSTGRES_PASSWORD
   secretsctl unset --scope staging n8n/N8N_PASSWORD` + exitCodeHelp,
		Flags: writeVaultFlags(),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 1 {
				return usagef("unset takes exactly one secret ID, got %d arguments", c.NArg())
			}
			return runSet(ctx, setOptions{Store: storeFlagValue(c), ID: c.Args().First(), Scope: c.String("scope"), Author: c.String("author"), Unset: true}, e)
		},
	}
}

func writeVaultFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "scope", Usage: "filesystem vault to write, vault/<scope>.yaml (default: the first filesystem source's, else local)"},
		&ucli.StringFlag{Name: "author", Usage: `commit author as "Name <email>" (default: git config)`},
	}
}

func runSet(ctx context.Context, opts setOptions, e *env) error {
	if !store.ValidSecretID(opts.ID) {
		return usageError{&resolve.InvalidIDError{ID: opts.ID}}
	}
	author, err := parseAuthor(opts.Author)
	if err != nil {
		return err
	}
	st, err := storeOptions{Store: opts.Store}.openStore(e)
	if err != nil {
		return err
	}
	wo := resolve.WriteOptions{Scope: opts.Scope, Author: author, Getenv: e.getenv}
	var w *resolve.WriteResult
	verb := "unset"
	if opts.Unset {
		w, err = resolve.Unset(ctx, st, opts.ID, wo)
	} else {
		verb = "set"
		var value string
		if value, err = readValue(e, opts.ID); err != nil {
			return err
		}
		w, err = resolve.Set(ctx, st, opts.ID, value, wo)
	}
	if err != nil {
		return err
	}
	if !w.Changed {
		fmt.Fprintf(e.stdout, "%s already holds that value for %s; nothing to commit\n", w.File, opts.ID)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s %s in %s\ncommit %s\n", verb, opts.ID, w.File, w.Commit.Hash)
	return nil
}

// readValue reads a value from stdin, or from a no-echo prompt (twice) when
// stdin is a terminal.
func readValue(e *env, id string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptValue(e, int(f.Fd()), id)
	}
	data, err := io.ReadAll(io.LimitReader(e.stdin, maxValueSize+1))
	if err != nil {
		return "", fmt.Errorf("read the value from stdin: %w", err)
	}
	if len(data) > maxValueSize {
		return "", usagef("the value on stdin is larger than %d bytes", maxValueSize)
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	if len(data) == 0 {
		return "", usagef("no value on stdin for %s (pipe it in, or run on a terminal to be prompted)", id)
	}
	return string(data), nil
}

func promptValue(e *env, fd int, id string) (string, error) {
	read := func(prompt string) (string, error) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(e.stderr)
		return string(b), err
	}
	v, err := read("value for " + id + ": ")
	if err != nil {
		return "", fmt.Errorf("read the value: %w", err)
	}
	if strings.TrimSpace(v) == "" {
		return "", usagef("empty value for %s", id)
	}
	again, err := read("again: ")
	if err != nil {
		return "", fmt.Errorf("read the value: %w", err)
	}
	if again != v {
		return "", usagef("the two values differ; nothing was written")
	}
	return v, nil
}
