package plan_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/bigstore"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// BenchmarkPlanAllLarge plans every scenario × tier of the SPEC §12 store
// (1,000 scenarios, 200 resources, 10,000 secrets), cold: a new Store and
// Snapshot each iteration, so every document is decrypted, verified and
// decoded again. The store is generated first, untimed.
func BenchmarkPlanAllLarge(b *testing.B) {
	storetest.Isolate(b)
	dir := filepath.Join(b.TempDir(), "big")
	require.NoError(b, bigstore.Generate(context.Background(), dir, bigstore.Large, store.Options{}))
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		s, err := store.Open(dir, store.Options{})
		require.NoError(b, err)
		sn, err := s.Snapshot(store.ReadOptions{})
		require.NoError(b, err)
		pairs, err := plan.Pairs(ctx, sn, "", "")
		require.NoError(b, err)
		n := 0
		require.NoError(b, plan.Each(ctx, sn, pairs, func(*store.Manifest) error { n++; return nil }))
		require.Equal(b, 5000, n)
	}
}
