package cli

import (
	"context"
	"fmt"

	"github.com/secretsctl/secretsctl/internal/ledger"
)

// push sends a ledger commit to the remote when --push or git config
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
	p, err := w.Store.Push(ctx)
	if err != nil {
		return fmt.Errorf("committed %s locally, but the push failed (run the command with --push again later, or git push): %w", res.Commit, err)
	}
	res.Commit = p.Head
	return nil
}
