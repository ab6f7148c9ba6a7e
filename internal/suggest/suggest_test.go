package suggest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/lint"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// importedStore is the example store plus what an import leaves: resources
// without classifications or strategies, a scenario secret of its own, and
// an infrastructure password the original database generated on desktop.
func importedStore(t *testing.T) (*store.Store, *store.Snapshot) {
	t.Helper()
	s, err := store.Open(storetest.NewExample(t), store.Options{})
	require.NoError(t, err)
	gen := store.Strategy{Strategy: store.Generate, Generator: &store.Generator{Type: "password"}}
	_, _, err = s.Commit(context.Background(), store.Change{
		Documents: map[string]any{
			"resources/qdrant.yaml": &store.Resource{Version: 1, Name: "qdrant", Secrets: []store.Secret{
				{Key: "QDRANT_HOST"}, {Key: "QDRANT_API_KEY", Type: "api_key"}}},
			"resources/github.yaml": &store.Resource{Version: 1, Name: "github", Secrets: []store.Secret{
				{Key: "GITHUB_TOKEN", Description: "GitHub token"}}},
			"resources/legacy-db.yaml": &store.Resource{Version: 1, Name: "legacy-db", Secrets: []store.Secret{
				{Key: "LEGACY_ROOT_PASSWORD", Classification: store.Infrastructure,
					Strategies: map[string]store.Strategy{store.TierDesktop: gen, store.TierLocal: {Strategy: store.Strip}}}}},
			"scenarios/importer-app.yaml": &store.Scenario{Version: 1, Name: "importer-app",
				Resources: []store.ResourceUse{{Name: "qdrant"}, {Name: "github"}, {Name: "legacy-db"}, {Name: "n8n"}},
				Secrets:   []store.Secret{{Key: "APP_SESSION_SECRET"}}},
		},
		Message: store.Message{Subject: "an import with gaps", Action: "import"},
	})
	require.NoError(t, err)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	return s, sn
}

func commit(t *testing.T, s *store.Store, sn *store.Snapshot, docs Documents) *store.Snapshot {
	t.Helper()
	_, ok, err := s.Commit(context.Background(), store.Change{Documents: docs, Parent: sn.Revision,
		Message: store.Message{Subject: "suggest", Action: "suggest"}})
	require.NoError(t, err)
	require.True(t, ok)
	next, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	return next
}

func findings(t *testing.T, sn *store.Snapshot) map[string]int {
	t.Helper()
	rep, err := lint.Run(context.Background(), sn, true)
	require.NoError(t, err)
	out := map[string]int{}
	for _, f := range rep.Findings {
		out[f.Rule]++
	}
	return out
}

// TestWriteThenAccept is the acceptance of issue 18.4 on a small imported
// store: after the proposals are written, lint finds no infrastructure
// secret on an end-user tier and no gap, every written value carries its
// rule, and accepting every mark leaves lint silent about them.
func TestWriteThenAccept(t *testing.T) {
	s, sn := importedStore(t)
	before := findings(t, sn)
	require.Positive(t, before[plan.CodeInfrastructureEndUser], "the imported store breaks the hard rule")
	require.Positive(t, before[plan.CodeMissingClass]+before[plan.CodeMissingStrategy])

	rep, err := Propose(context.Background(), sn)
	require.NoError(t, err)
	byID := map[string]Proposal{}
	for _, p := range rep.Proposals {
		byID[p.ID] = p
		assert.NotEmpty(t, p.Rule, p.ID)
		assert.NotEmpty(t, p.Because, p.ID)
	}
	assert.Equal(t, RuleHardRule, byID["legacy-db/LEGACY_ROOT_PASSWORD@tier-2-desktop"].Rule)
	assert.Equal(t, store.Service, byID["importer-app/APP_SESSION_SECRET#classification"].Classification)
	assert.Equal(t, store.Infrastructure, byID["qdrant/QDRANT_API_KEY#classification"].Classification, "a data store's key is infrastructure")
	assert.Equal(t, "n8n/WEBHOOK_URL@tier-2-desktop", byID["n8n/WEBHOOK_URL@tier-2-desktop"].ID, "the example store's own gap")
	_, proposed := byID["qdrant/QDRANT_HOST@tier-2-desktop"]
	assert.False(t, proposed, "the example policy strips infrastructure on desktop already")

	docs, err := Apply(sn, rep.Proposals)
	require.NoError(t, err)
	sn = commit(t, s, sn, docs)
	after := findings(t, sn)
	for _, rule := range []string{plan.CodeInfrastructureEndUser, plan.CodeMissingClass, plan.CodeMissingStrategy, plan.CodeIncompleteStrategy} {
		assert.Zero(t, after[rule], rule)
	}
	assert.Equal(t, len(rep.Proposals), after[lint.RuleSuggestion], "one warning per written value")
	marks, err := Marks(sn)
	require.NoError(t, err)
	assert.Len(t, marks, len(rep.Proposals))
	for _, m := range marks {
		assert.Equal(t, byID[m.ID].Rule, m.Rule, m.ID)
	}
	again, err := Propose(context.Background(), sn)
	require.NoError(t, err)
	assert.Empty(t, again.Proposals, "nothing is left to suggest")

	m, err := plan.ForSnapshot(sn, "importer-app", store.TierDesktop)
	require.NoError(t, err)
	for _, sec := range m.Secrets {
		if sec.ID == "github/GITHUB_TOKEN" {
			assert.Equal(t, store.SourceSuggested, sec.StrategySource)
			assert.Equal(t, store.Prompt, sec.HandlingStrategy)
		}
	}

	docs, accepted, err := Accept(sn, []string{"github/GITHUB_TOKEN"})
	require.NoError(t, err)
	assert.NotEmpty(t, accepted)
	for _, a := range accepted {
		assert.Equal(t, "github/GITHUB_TOKEN", a.Secret)
	}
	sn = commit(t, s, sn, docs)
	assert.Equal(t, len(rep.Proposals)-len(accepted), findings(t, sn)[lint.RuleSuggestion])

	docs, _, err = Accept(sn, nil)
	require.NoError(t, err)
	sn = commit(t, s, sn, docs)
	assert.Zero(t, findings(t, sn)[lint.RuleSuggestion])
	_, _, err = Accept(sn, []string{"github/GITHUB_TOKEN"})
	assert.ErrorIs(t, err, store.ErrNotFound)
}
