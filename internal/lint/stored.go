package lint

import (
	"context"
	"errors"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/secretsctl/secretsctl/store"
)

// lintStored reads, decrypts and verifies the documents no plan reads:
// every filesystem vault (vault/*.yaml), every ledger event
// (deployments/<scenario>/<deployment>/*.yaml) and the fingerprint key.
// With the key, one changed without it (a flipped ciphertext byte, a
// renamed key, an edited status or fingerprint) is an integrity finding
// naming the file. Without the key it is read unverified, which the
// report's integrity then says; it is not an error.
func lintStored(ctx context.Context, sn *store.Snapshot, r *Report) error {
	scopes, err := sn.VaultScopes()
	if err != nil {
		return err
	}
	files := make([]string, 0, len(scopes))
	reads := make([]func() error, 0, len(scopes))
	for _, scope := range scopes {
		files = append(files, store.VaultFile(scope))
		reads = append(reads, func() error { _, err := sn.Vault(scope); return err })
	}
	events, err := sn.LedgerFiles()
	if err != nil {
		return err
	}
	for _, f := range events {
		files = append(files, f.Path)
		reads = append(reads, func() error { _, err := sn.LedgerEvent(f); return err })
	}
	files = append(files, store.FingerprintKeyFile)
	reads = append(reads, func() error {
		_, err := sn.FingerprintKey()
		var nf *store.NotFoundError
		if errors.As(err, &nf) {
			return nil // no event issued yet
		}
		return err
	})
	errs, err := readAll(ctx, reads)
	if err != nil {
		return err
	}
	for i, err := range errs {
		if err != nil && !readUnverified(sn, files[i], err) {
			r.add(documentFinding(err))
		}
	}
	return nil
}

// readAll runs every read on all CPUs and returns their errors in order.
func readAll(ctx context.Context, reads []func() error) ([]error, error) {
	errs := make([]error, len(reads))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, read := range reads {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			errs[i] = read()
			return nil
		})
	}
	return errs, g.Wait()
}

// readUnverified reports whether err only says that file was read without
// a key that opens it: the snapshot has marked it unverified, and Run
// reports it through the report's integrity (and, with a key loaded, an
// unverified-document warning).
func readUnverified(sn *store.Snapshot, file string, err error) bool {
	return errors.Is(err, store.ErrNoKey) && sn.IntegrityOf(file) == store.IntegrityUnverified
}
