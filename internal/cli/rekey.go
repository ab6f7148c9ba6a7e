package cli

import (
	"context"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

type rekeyOptions struct {
	Store string
	Files []string
}

func newRekeyCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "rekey",
		Usage:     "re-encrypt documents with a new data key for the recipients in .sops.yaml (not committed)",
		ArgsUsage: "[FILE...]",
		Description: `Re-encrypts each document with a new data key, encrypted to the recipients
and with the options that .sops.yaml now gives for its path, after verifying
it. seal, edit, set, unset and import keep a document's data key so that
diffs stay small; rekey is the explicit way to rotate it, and the way to
add or remove a recipient: edit .sops.yaml, run secretsctl rekey, commit.
Every encrypted value gets a new ciphertext. The content is not changed.

Without FILE, every authored document of the store is rekeyed:
secretsctl.yaml, resources/, scenarios/ and vault/ (ledger event files
under deployments/ only when named). Prints one line per file. Files are
changed in place and not committed. A file that fails is reported and the
others are still rekeyed; the exit code is that of the first failure.

Rekey after removing a recipient, and after merging a document written by
someone who may know its data key: a kept data key stays known to them.

Examples:
   secretsctl rekey
   secretsctl rekey vault/local.yaml` + exitCodeHelp,
		Action: func(ctx context.Context, c *ucli.Command) error {
			return runRekey(rekeyOptions{Store: storeFlagValue(c), Files: c.Args().Slice()}, e)
		},
	}
}

func runRekey(opts rekeyOptions, e *env) error {
	st, err := storeOptions{Store: opts.Store}.openStore(e)
	if err != nil {
		return err
	}
	files, err := rekeyFiles(st, opts.Files, e)
	if err != nil {
		return err
	}
	var failures []error
	for _, rel := range files {
		res, err := st.RekeyFile(rel)
		if err != nil {
			fmt.Fprintf(e.stderr, "secretsctl: %v\n", err)
			failures = append(failures, err)
			continue
		}
		fmt.Fprintln(e.stdout, rekeyLine(res))
	}
	if len(failures) > 0 {
		return rekeyFailed{first: failures[0], n: len(failures), of: len(files)}
	}
	return nil
}

// rekeyFiles resolves the FILE arguments, or lists every document.
func rekeyFiles(st *store.Store, args []string, e *env) ([]string, error) {
	if len(args) == 0 {
		return st.DocumentFiles()
	}
	var files []string
	for _, f := range args {
		rel, err := st.Rel(resolvePath(e, f))
		if err != nil {
			return nil, usageError{err}
		}
		files = append(files, rel)
	}
	return files, nil
}

// rekeyLine is the summary of one file.
func rekeyLine(res store.RekeyResult) string {
	line := fmt.Sprintf("rekeyed %s: new data key for %d recipient(s)", res.File, len(res.Recipients))
	if len(res.Added) > 0 {
		line += "; added " + strings.Join(res.Added, ", ")
	}
	if len(res.Removed) > 0 {
		line += "; removed " + strings.Join(res.Removed, ", ")
	}
	return line
}

// rekeyFailed reports failed files after the others were rekeyed; its exit
// code is that of the first failure, already printed.
type rekeyFailed struct {
	first error
	n, of int
}

func (r rekeyFailed) Error() string {
	return fmt.Sprintf("rekey failed for %d of %d files", r.n, r.of)
}

func (r rekeyFailed) Unwrap() error { return r.first }
