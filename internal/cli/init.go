package cli

import (
	"context"
	"fmt"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

type initOptions struct {
	Dir    string
	Author string
}

func newInitCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "init",
		Usage:     "create a store: git repository, .sops.yaml, secretsctl.yaml and an age key if none",
		ArgsUsage: "[DIR]",
		Description: `Makes DIR (default: the current directory) a secretsctl store. Creates a git
repository when DIR is not inside one, an age identity in the sops config
directory ($XDG_CONFIG_HOME/sops/age/keys.txt, mode 0600) when no key is
configured through SOPS_AGE_KEY_FILE, SOPS_AGE_KEY or SOPS_AGE_KEY_CMD,
.sops.yaml with that key's recipient (a .sops.yaml already there is kept and
committed: its keys, of any type sops knows, encrypt the store, and no age
identity is created), secretsctl.yaml, a .gitattributes
that merges store documents with "secretsctl merge-driver", a .gitignore
that keeps .env files, decrypted temporaries and editor backups out, and one
commit. It registers the merge driver in the repository's .git/config
(merge.secretsctl.driver), which git does not clone: every clone runs
secretsctl init once. On an existing store it only adds what is missing
(lines of .gitattributes and .gitignore, left for you to commit, and the
driver), and running it again changes nothing.

Examples:
   secretsctl init
   secretsctl init ./secrets --author "Ops Bot <ops@example.com>"` + exitCodeHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "author", Usage: `commit author as "Name <email>" (default: git config)`},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 1 {
				return usagef("init takes at most one directory, got %d arguments", c.NArg())
			}
			opts := initOptions{Dir: c.Args().First(), Author: c.String("author")}
			if opts.Dir == "" {
				opts.Dir = e.cwd
			}
			return runInit(ctx, opts, e)
		},
	}
}

func runInit(ctx context.Context, opts initOptions, e *env) error {
	author, err := parseAuthor(opts.Author)
	if err != nil {
		return err
	}
	res, err := store.Init(ctx, resolvePath(e, opts.Dir), author, store.Options{Getenv: e.getenv})
	if err != nil {
		return err
	}
	if res.AlreadyInitial {
		if len(res.Git.Written) == 0 && !res.Git.Driver {
			fmt.Fprintf(e.stdout, "store already initialised in %s; nothing changed\n", res.Dir)
			return nil
		}
		fmt.Fprintf(e.stdout, "store already initialised in %s; completing its git setup\n", res.Dir)
		reportGitSetup(e, res.Git)
		return nil
	}
	if res.CreatedRepo {
		fmt.Fprintf(e.stdout, "created git repository in %s\n", res.Dir)
	}
	if res.KeyFile != "" {
		fmt.Fprintf(e.stdout, "created age identity %s (keep it safe; back it up)\n", res.KeyFile)
	}
	fmt.Fprintf(e.stdout, "initialised store in %s\n", res.Dir)
	if res.Recipient != "" {
		fmt.Fprintf(e.stdout, "recipient: %s\n", res.Recipient)
	}
	fmt.Fprintf(e.stdout, "commit: %s\n", res.Commit.Hash)
	reportGitSetup(e, res.Git)
	return nil
}

// reportGitSetup says what init changed in git: committed or written files
// and the merge driver in .git/config.
func reportGitSetup(e *env, g store.GitSetup) {
	for _, f := range g.Committed {
		fmt.Fprintf(e.stdout, "committed %s\n", f)
	}
	for _, f := range g.Written {
		fmt.Fprintf(e.stdout, "wrote %s (review and commit it)\n", f)
	}
	if g.Driver {
		fmt.Fprintf(e.stdout, "set merge.%s.driver in .git/config: %s\n", store.MergeDriverName, store.MergeDriverCommand)
	}
}
