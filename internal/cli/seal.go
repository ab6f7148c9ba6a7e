package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

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
mac and the seal); secretsctl rekey rotates the data key. A SOPS document
whose clear parts were edited with a text editor (its MAC no longer matches)
is re-sealed as it is when every encrypted value still opens with the key:
review it with git diff. One whose values do not open is refused (exit 5).
Files are changed in place and not committed; commit them yourself.

FILE is a path relative to the current directory, inside the store.

Examples:
   secretsctl edit resources/postgres.yaml          # edit, validate and seal in one step
   sops edit resources/postgres.yaml && secretsctl seal resources/postgres.yaml
   secretsctl seal scenarios/new-app.yaml           # a plaintext file you wrote` + exitCodeHelp,
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
	for _, f := range opts.Files {
		rel, err := st.Rel(resolvePath(e, f))
		if err != nil {
			return usageError{err}
		}
		d, err := st.OpenDraft(rel)
		if err != nil {
			return err
		}
		noteRecovered(e, d)
		if err := d.Save(d.Plaintext()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "sealed %s\n", rel)
	}
	return nil
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
