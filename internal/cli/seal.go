package cli

import (
	"context"
	"errors"
	"fmt"

	ucli "github.com/urfave/cli/v3"

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
		Usage:     "validate and encrypt or re-encrypt documents in place so their structure is sealed",
		ArgsUsage: "FILE...",
		Description: `Validates each document as readers will (YAML, schema, references; the
same check as secretsctl edit), then encrypts a plaintext document with the
store's .sops.yaml, or re-encrypts a SOPS document after verifying it,
adding a secretsctl seal: a keyed digest of every key, type and value, so
that renaming or moving keys without the key is detected (the SOPS MAC
covers values only).

Re-sealing keeps the document's data key and the ciphertext of every value
that did not change, so git diff shows only what changed (plus lastmodified,
mac and the seal); secretsctl rekey --rotate rotates the data key. A SOPS document
whose clear parts were edited with a text editor (its MAC no longer matches)
is re-sealed as it is when every encrypted value still opens with the key:
review it with git diff. One whose values do not open is refused (exit 5).
Files are changed in place and not committed; commit them yourself.

Every file is validated first, as edit does: YAML, schema, references
(tiers, resources) and the lint rules of one document. Every problem of
every file is listed with its line, and a "did you mean" for a misspelt
field, tier, strategy, classification or resource; if there is any, no file
is written (exit 4).

FILE is a path relative to the current directory, inside the store.

Examples:
   secretsctl edit resources/postgres.yaml          # edit, validate and seal in one step
   sops edit resources/postgres.yaml && secretsctl seal resources/postgres.yaml
   secretsctl seal scenarios/new-app.yaml           # a plaintext file you wrote` + exitCodeHelp,
		Action: func(ctx context.Context, c *ucli.Command) error {
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
	// Every file is opened and validated before any is written: the
	// problems of all of them at once, and nothing half-sealed.
	drafts := make([]*store.Draft, len(rels))
	var problems []error
	for i, rel := range rels {
		d, err := st.OpenDraft(rel)
		if err != nil {
			return err
		}
		d.Check = documentCheck(st)
		if err := d.Check(rel, d.Plaintext()); err != nil {
			problems = append(problems, err)
		}
		drafts[i] = d
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	for i, d := range drafts {
		rel := rels[i]
		noteRecovered(e, d)
		if err := d.Save(d.Plaintext()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "sealed %s\n", rel)
	}
	return nil
}

// documentCheck is the validation seal and edit run before they write a
// document: YAML, schema, references and the lint rules of one document,
// every problem at once (exit 4).
func documentCheck(st *store.Store) func(rel string, plain []byte) error {
	return func(rel string, plain []byte) error { return lint.CheckDocument(st, rel, plain) }
}

// noteRecovered tells the user that a document edited as text is re-sealed
// as it is now, so that they review it before committing.
func noteRecovered(e *env, d *store.Draft) {
	if d.Recovered {
		fmt.Fprintf(e.stderr, "secretsctl: %s did not verify (%s): it was edited as text; its encrypted values open with the key, so it is re-sealed as it is: review it with git diff before committing\n", d.File(), d.Reason)
	}
	if d.RecipientsDiffer() {
		fmt.Fprintf(e.stderr, "secretsctl: hint: .sops.yaml gives %s other recipients than its data key is encrypted to; the data key is kept: run secretsctl rekey %s to apply them\n", d.File(), d.File())
	}
}
