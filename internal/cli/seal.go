package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"
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
	for _, f := range opts.Files {
		rel, err := st.Rel(resolvePath(e, f))
		if err != nil {
			return usageError{err}
		}
		if err := st.SealFile(rel); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "sealed %s\n", rel)
	}
	return nil
}
