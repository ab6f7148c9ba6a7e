package plan_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// TestDiffOneStrategyChange changes one strategy between two commits of the
// example store: the diff shows exactly that secret, in exactly the plans
// that use it on that tier.
func TestDiffOneStrategyChange(t *testing.T) {
	dir := storetest.NewExample(t)
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	base, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)

	pg, err := base.Resource("postgres")
	require.NoError(t, err)
	changed := *pg
	changed.Secrets = append([]store.Secret(nil), pg.Secrets...)
	pw := &changed.Secrets[3]
	require.Equal(t, "POSTGRES_PASSWORD", pw.Key)
	strategies := map[string]store.Strategy{}
	for k, v := range pw.Strategies {
		strategies[k] = v
	}
	strategies[store.TierEnterprise] = store.Strategy{Strategy: store.Strip, Reason: "enterprise brings its own database"}
	pw.Strategies = strategies
	_, ok, err := s.Commit(context.Background(), store.Change{
		Documents: map[string]any{"resources/postgres.yaml": &changed},
		Message:   store.Message{Subject: "postgres: strip the password on enterprise", Action: "edit"},
	})
	require.NoError(t, err)
	require.True(t, ok)
	head, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)

	d, err := plan.DiffSnapshots(context.Background(), base, head)
	require.NoError(t, err)
	require.Len(t, d.Plans, 2, "picker-wheel and secure-document-processing ship to enterprise with postgres")
	for _, p := range d.Plans {
		assert.Equal(t, store.TierEnterprise, p.Tier)
		require.Len(t, p.Secrets, 1)
		assert.Equal(t, "postgres/POSTGRES_PASSWORD", p.Secrets[0].ID)
	}

	d.Base, d.Head = "BASE", "HEAD" // commit hashes differ every run
	golden(t, "diff.md", []byte(d.Markdown()))
	js, err := plan.Encode(d)
	require.NoError(t, err)
	golden(t, "diff.json", js)

	same, err := plan.DiffSnapshots(context.Background(), head, head)
	require.NoError(t, err)
	assert.Empty(t, same.Plans)
	assert.Contains(t, same.Markdown(), "no plan changes")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/plan -update")
	assert.Equal(t, string(want), string(got), path)
}
