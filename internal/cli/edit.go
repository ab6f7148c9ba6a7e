package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

type editOptions struct {
	Store string
	File  string
}

func newEditCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "edit",
		Usage:     "edit a store document in $EDITOR, validate it and seal it in place (not committed)",
		ArgsUsage: "FILE",
		Description: `Decrypts FILE (secretsctl.yaml, resources/NAME.yaml, scenarios/NAME.yaml or
vault/SCOPE.yaml) into a private temporary file (mode 0600 in a 0700
directory, removed on exit, also on SIGINT, SIGTERM or SIGHUP) and opens it in
$VISUAL, else $EDITOR, else vi. $EDITOR may hold arguments or be a script;
it runs as sh -c '$EDITOR "$@"', as git runs it, and needs no terminal.

On save the whole document is validated as secretsctl seal validates it
(YAML, schema, references). If it has problems, the editor opens again
with them as "# secretsctl:" comments at the top (removed on the next
save). Saving the file unchanged, or the editor failing, gives up: FILE is
left as it was and the problems are printed (exit 4). Saving it as it was
when first opened, or empty, changes nothing (exit 0).

A valid document is sealed in place with its data key, so git diff shows
the lines you changed plus lastmodified, mac and the seal. edit never
commits (commit it as any change) and never prints a value.

FILE is a path relative to the current directory, inside the store.

Examples:
   secretsctl edit resources/stripe.yaml
   EDITOR='code --wait' secretsctl edit scenarios/picker-wheel.yaml
   secretsctl edit vault/local.yaml && git diff` + exitCodeHelp,
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 1 {
				return usagef("edit takes exactly one FILE, got %d arguments", c.NArg())
			}
			return runEdit(ctx, editOptions{Store: storeFlagValue(c), File: c.Args().First()}, e)
		},
	}
}

func runEdit(ctx context.Context, opts editOptions, e *env) error {
	st, err := storeOptions{Store: opts.Store}.openStore(e)
	if err != nil {
		return err
	}
	rel, err := st.Rel(resolvePath(e, opts.File))
	if err != nil {
		return usageError{err}
	}
	if !store.IsDocumentPath(rel) {
		return usagef("edit: %s is not a store document (want secretsctl.yaml, resources/NAME.yaml, scenarios/NAME.yaml or vault/SCOPE.yaml)", rel)
	}
	d, err := st.OpenDraft(rel)
	if errors.Is(err, os.ErrNotExist) {
		return &store.NotFoundError{Kind: "document", Name: rel, Hint: "write it as plaintext and run secretsctl seal " + rel}
	}
	if err != nil {
		return err
	}
	d.Check = documentCheck(st)
	noteRecovered(e, d)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	buf, err := newEditBuffer(rel)
	if err != nil {
		return err
	}
	defer buf.remove()
	return editLoop(ctx, e, d, buf)
}

// editLoop opens the editor until the document saves, the user gives up or
// nothing changed.
func editLoop(ctx context.Context, e *env, d *store.Draft, buf *editBuffer) error {
	original := d.Plaintext()
	current := original
	var problems error
	for {
		edited, err := editOnce(ctx, e, buf, problems, current)
		switch {
		case err != nil:
			return giveUp(d, errors.Join(problems, err))
		case isBlank(edited):
			fmt.Fprintf(e.stderr, "secretsctl: edit cancelled (empty file): %s was not changed\n", d.File())
			return nil
		case string(edited) == string(original):
			fmt.Fprintf(e.stderr, "secretsctl: no changes: %s was not changed\n", d.File())
			return nil
		case string(edited) == string(current):
			return giveUp(d, problems)
		}
		current = edited
		if problems = d.Save(edited); problems == nil {
			fmt.Fprintf(e.stdout, "edited %s\n", d.File())
			fmt.Fprintf(e.stderr, "secretsctl: hint: not committed: review it with git diff %s, then commit it\n", d.File())
			return nil
		}
		if !retryable(problems) {
			return problems
		}
	}
}

// editOnce writes the buffer (with the problems as a header), runs the
// editor and reads the result back, without the header.
func editOnce(ctx context.Context, e *env, buf *editBuffer, problems error, plain []byte) ([]byte, error) {
	if err := buf.write(problemHeader(buf.rel, problems), plain); err != nil {
		return nil, err
	}
	if err := runEditor(ctx, e, buf.path); err != nil {
		return nil, err
	}
	return buf.read()
}

// retryable reports whether reopening the editor can fix a save's failure:
// anything but a missing key or a document that no longer verifies.
func retryable(err error) bool {
	var key *store.KeyError
	var integrity *store.IntegrityError
	return !errors.As(err, &key) && !errors.As(err, &integrity)
}

// giveUp is the error of an abandoned edit.
func giveUp(d *store.Draft, err error) error {
	return fmt.Errorf("%w\nedit abandoned: %s was not changed", err, d.File())
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}
