package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/hooks"
	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/store"
)

// nowEnv overrides the clock of ledger commands. It exists for tests (a
// rotation falling due, events at fixed times) and takes RFC 3339.
const nowEnv = "SECRETSCTL_NOW"

// ledgerOptions are the flags ledger writers share.
type ledgerOptions struct {
	storeOptions
	Author string
	Push   bool
	Format string
	// Remote, when set, is the git remote whose ledger branch is fetched
	// (and the local one fast-forwarded to it) before reading.
	Remote string
}

func ledgerWriteFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "author", Usage: `commit author as "Name <email>" (default: git config)`},
		&ucli.BoolFlag{Name: "push", Usage: "push the ledger branch to its remote, replaying the event onto it when the remote moved", DefaultText: "git config secretsctl.push"},
		&ucli.BoolFlag{Name: "allow-unverified", Usage: "read metadata without the private key (needs SECRETSCTL_FINGERPRINT_KEY; new deployments only)"},
		&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "output format: text or json"},
		&ucli.StringFlag{Name: "remote", Usage: "fetch the ledger branch from this git remote first and fast-forward the local one to it"},
	}
}

func ledgerWriteOptions(c *ucli.Command) ledgerOptions {
	return ledgerOptions{storeOptions: storeOptions{Store: storeFlagValue(c), AllowUnverified: c.Bool("allow-unverified")},
		Author: c.String("author"), Push: c.Bool("push"), Format: c.String("format"), Remote: c.String("remote")}
}

// clock returns now, or SECRETSCTL_NOW when set.
func clock(e *env) (func() time.Time, error) {
	v := e.getenv(nowEnv)
	if v == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, usagef("%s=%q: want an RFC 3339 time such as 2026-01-02T03:04:05Z", nowEnv, v)
	}
	return func() time.Time { return t }, nil
}

// writer opens the store and returns a ledger writer for it.
func (o ledgerOptions) writer(ctx context.Context, e *env) (*ledger.Writer, error) {
	if o.Format != "text" && o.Format != "json" {
		return nil, usagef("unknown --format %q: want text or json", o.Format)
	}
	author, err := parseAuthor(o.Author)
	if err != nil {
		return nil, err
	}
	now, err := clock(e)
	if err != nil {
		return nil, err
	}
	st, err := o.openStore(e)
	if err != nil {
		return nil, err
	}
	if o.Remote != "" {
		if err := st.SyncLedger(ctx, o.Remote); err != nil {
			return nil, err
		}
	}
	return &ledger.Writer{Store: st, Author: author, Now: now, FingerprintKey: e.getenv(ledger.FingerprintKeyEnv),
		AllowUnverified: o.AllowUnverified}, nil
}

// outDir resolves --out (its symbolic links, as the stage does: realPath)
// and refuses a directory inside the store's repository: rendered files
// hold values in clear and must never be committed by accident. It
// returns the resolved path, which is where the files go.
func outDir(e *env, st *store.Store, out string) (string, error) {
	if out == "" {
		return "", usagef("--out DIR is required")
	}
	abs := resolvePath(e, out)
	real := realPath(abs)
	root := strings.TrimSuffix(filepath.ToSlash(st.Dir()), "/"+st.RepoDir())
	for _, r := range []string{filepath.FromSlash(root), realPath(filepath.FromSlash(root))} {
		for _, p := range []string{abs, real} {
			if within(r, p) {
				return "", usagef("--out %s is inside the store's git work tree %s: rendered files hold values in clear; choose a directory outside it", out, root)
			}
		}
	}
	return real, nil
}

// within reports whether p is dir or lies under it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(os.PathSeparator))
}

// ledgerErr gives ledger errors their exit codes.
func ledgerErr(err error) error {
	var bad *ledger.InvalidIDError
	var amb *ledger.AmbiguousError
	var conflict *ledger.ConflictError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &bad), errors.As(err, &amb), errors.As(err, &conflict), errors.Is(err, store.ErrLedgerOnPolicyBranch):
		return usageError{err}
	case errors.Is(err, hooks.ErrRefused):
		return coded{err, ExitInvalid}
	}
	return err
}

// coded is an error with an exit code of its own.
type coded struct {
	err  error
	code int
}

func (c coded) Error() string { return c.err.Error() }
func (c coded) Unwrap() error { return c.err }
func (c coded) ExitCode() int { return c.code }

// printResult prints what a ledger write did.
func printResult(e *env, format, verb string, r *ledger.Result, out string) error {
	if format == "json" {
		return writeJSON(e, r)
	}
	if verb == "rendered" { // render records nothing
		fmt.Fprintf(e.stdout, "%s %s/%s on %s\n", verb, r.Scenario, r.Deployment, r.Tier)
	} else {
		fmt.Fprintf(e.stdout, "%s %s/%s on %s: %d recorded, %d unchanged\n", verb, r.Scenario, r.Deployment, r.Tier, len(r.Changed), len(r.Kept))
	}
	for _, id := range r.Changed {
		fmt.Fprintf(e.stdout, "  %s\n", id)
	}
	if out != "" {
		fmt.Fprintf(e.stdout, "wrote %s to %s\n", countNoun(len(r.Files), "file"), out)
	}
	if r.Committed {
		fmt.Fprintf(e.stdout, "commit %s\n", r.Commit)
	} else if verb != "rendered" {
		fmt.Fprintln(e.stdout, "nothing new to record; no commit")
	}
	return nil
}
