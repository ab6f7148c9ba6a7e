package cli

import (
	"context"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

type rekeyOptions struct {
	Store  string
	Files  []string
	Rotate bool
}

func newRekeyCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "rekey",
		Usage:     "encrypt documents' data keys to the master keys in .sops.yaml, or rotate them (not committed)",
		ArgsUsage: "[FILE...]",
		Description: `Encrypts each document's data key to the master keys and key groups that
.sops.yaml now gives for its path (age, pgp, hc_vault_transit_uri, kms,
gcp_kms, azure_keyvault, with shamir_threshold), after verifying it, as
sops updatekeys does: the way to add or remove a recipient of any type:
edit .sops.yaml, run secretsctl rekey, commit. The values keep their
ciphertexts, so the diff shows only the sops metadata.

With --rotate, each document gets a new data key instead, as sops rotate
does, with the options .sops.yaml gives for its path: every encrypted value
gets a new ciphertext. seal, edit, set, unset and import keep a document's
data key so that diffs stay small; rekey --rotate is the explicit way to
rotate it. The content is not changed.

Without FILE, every authored document of the store is rekeyed:
secretsctl.yaml, resources/, scenarios/ and vault/ (ledger event files
under deployments/ only when named). Prints one line per file. Files are
changed in place and not committed. A file that fails is reported and the
others are still rekeyed; the exit code is that of the first failure.

Rekey --rotate after removing a recipient who may have kept the data key,
and after merging a document written by someone who may know its data key:
a kept data key stays known to them.

Examples:
   secretsctl rekey
   secretsctl rekey --rotate vault/local.yaml` + exitCodeHelp,
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "rotate", Usage: "give each document a new data key (sops rotate) instead of re-encrypting only the data key"},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			return runRekey(rekeyOptions{Store: storeFlagValue(c), Files: c.Args().Slice(), Rotate: c.Bool("rotate")}, e)
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
		rekey := st.RekeyFile
		if opts.Rotate {
			rekey = st.RotateFile
		}
		res, err := rekey(rel)
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
	what := "data key"
	if res.Rotated {
		what = "new data key"
	}
	line := fmt.Sprintf("rekeyed %s: %s for %d recipient(s)", res.File, what, len(res.Recipients))
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
