package cli

import (
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/secretsctl/secretsctl/internal/lint"
	"github.com/secretsctl/secretsctl/store"
)

type sealOptions struct {
	Store string
	Files []string
}

func newSealCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "seal",
		Usage:     "encrypt or re-encrypt documents in place so their structure is sealed",
		ArgsUsage: "FILE...",
		Description: `Encrypts plaintext store documents with the store's .sops.yaml, and
re-encrypts SOPS documents last written by another tool (such as sops edit)
after verifying their MAC, adding a secretsctl seal: a keyed digest of every
key, type and value, so that renaming or moving keys without the key is
detected (the SOPS MAC covers values only). Files are changed in place and
not committed; review them with git diff and commit them yourself.

Every file is validated first, as edit does: YAML, schema, references
(tiers, resources) and the lint rules of one document. Every problem of
every file is listed with its line, and a "did you mean" for a misspelt
field, tier, strategy, classification or resource; if there is any, no file
is written (exit 4).

FILE is a path relative to the current directory, inside the store.

Examples:
   sops edit resources/postgres.yaml && secretsctl seal resources/postgres.yaml
   secretsctl seal scenarios/new-app.yaml        # a plaintext file you wrote` + exitCodeHelp,
		Action: func(c *ucli.Context) error {
			if c.NArg() == 0 {
				return usagef("seal needs at least one FILE")
			}
			return runSeal(sealOptions{Store: storeFlagValue(c), Files: c.Args().Slice()}, e)
		},
	}
}

func runSeal(opts sealOptions, e *env) error {
	st, err := storeOptions{Store: opts.Store}.openStore(e)
	if err != nil {
		return err
	}
	rels := make([]string, len(opts.Files))
	for i, f := range opts.Files {
		if rels[i], err = st.Rel(resolvePath(e, f)); err != nil {
			return usageError{err}
		}
	}
	if err := checkDocuments(st, rels); err != nil {
		return err
	}
	for _, rel := range rels {
		if err := st.SealFile(rel); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "sealed %s\n", rel)
	}
	return nil
}

// checkDocuments validates every file before any is sealed, and reports the
// problems of all of them at once.
func checkDocuments(st *store.Store, rels []string) error {
	var errs []error
	for _, rel := range rels {
		if err := lint.CheckFile(st, rel); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
