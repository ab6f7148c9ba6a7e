package cli

import (
	"context"
	"fmt"

	"github.com/secretsctl/secretsctl/internal/ledger"
)

// push sends the ledger branch to its remote when --push or git config
// secretsctl.push asks for it.
func (o ledgerOptions) push(ctx context.Context, w *ledger.Writer, res *ledger.Result) error {
	if !res.Committed {
		return nil
	}
	want, err := w.Store.PushConfigured()
	if err != nil {
		return err
	}
	if !o.Push && !want {
		return nil
	}
	p, err := w.Store.PushLedger(ctx)
	if err != nil {
		return fmt.Errorf("committed %s locally, but the push failed (push it later with git push, or the next --push): %w", res.Commit, err)
	}
	res.Commit = p.Head
	return nil
}
