package cli

import (
	"cmp"
	"context"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

// resolvePlan resolves the values of a scenario's plan on a tier
// (tier-1-local when empty): package resolve takes the manifest, and the
// plan is computed here, so that public package needs no internal one.
func resolvePlan(ctx context.Context, sn *store.Snapshot, scenario, tier string, opts resolve.Options) (*resolve.Result, error) {
	resolve.Prefetch(sn, scenario, opts)
	m, err := plan.ForSnapshot(sn, scenario, cmp.Or(tier, resolve.DefaultTier))
	if err != nil {
		return nil, err
	}
	return resolve.Resolve(ctx, sn, m, opts)
}
