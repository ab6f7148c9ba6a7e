package importer

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/secretsctl/secretsctl/store"
)

// TestMergeKeepsHandMadeDecisions: the source fills what the store has
// not decided, never replaces what it has, and never changes the
// snapshot's documents in place.
func TestMergeKeepsHandMadeDecisions(t *testing.T) {
	strip := store.Strategy{Strategy: store.Strip}
	prompt := store.Strategy{Strategy: store.Prompt, Prompt: &store.PromptSpec{Label: "Key"}}
	old := &store.Resource{Name: "openrouter", Secrets: []store.Secret{{Key: "K", Classification: store.Service,
		Strategies: map[string]store.Strategy{store.TierDesktop: strip}}}}
	src := &store.Resource{Name: "openrouter", Description: "gateway", Secrets: []store.Secret{
		{Key: "K", Type: "api_key", Classification: store.User, RotateAfter: "90d",
			Strategies: map[string]store.Strategy{store.TierDesktop: prompt, store.TierSaaS: strip}},
		{Key: "NEW", Classification: store.User}}}
	r := &Result{}
	got := r.mergeResource("resources/openrouter.yaml", old, src)

	k := got.Secrets[0]
	assert.Equal(t, store.Service, k.Classification, "the store's classification is kept")
	assert.Equal(t, "90d", k.RotateAfter, "an undecided rotation is filled")
	assert.Equal(t, "api_key", k.Type)
	assert.Equal(t, map[string]store.Strategy{store.TierDesktop: strip, store.TierSaaS: strip}, k.Strategies)
	assert.Equal(t, "NEW", got.Secrets[1].Key)
	assert.Equal(t, "gateway", got.Description)
	assert.Equal(t, []string{
		`resources/openrouter.yaml: K classification: kept the store's "service" (the source says "user")`,
		"resources/openrouter.yaml: K strategy on tier-2-desktop: kept the store's strip (the source says prompt)",
	}, r.Kept)
	assert.Len(t, old.Secrets[0].Strategies, 1, "the snapshot's document is unchanged")
}

func TestMergeScenarioOverrides(t *testing.T) {
	hand := store.Strategy{Strategy: store.Strip, Reason: "by hand"}
	db := store.Strategy{Strategy: store.Prompt, Prompt: &store.PromptSpec{Label: "Key"}, Reason: "db"}
	old := &store.Scenario{Name: "calendar", Resources: []store.ResourceUse{{Name: "postgres"}},
		Overrides: map[string]map[string]store.Strategy{"openrouter/K": {store.TierDesktop: hand}}}
	src := &store.Scenario{Name: "calendar", Resources: []store.ResourceUse{{Name: "postgres", Optional: true}, {Name: "openrouter", Optional: true}},
		Overrides: map[string]map[string]store.Strategy{"openrouter/K": {store.TierDesktop: db, store.TierMobile: db}}}
	r := &Result{}
	got := r.mergeScenario("scenarios/calendar.yaml", old, src)
	assert.Equal(t, []store.ResourceUse{{Name: "postgres", Optional: true}, {Name: "openrouter", Optional: true}}, got.Resources)
	assert.Equal(t, map[string]store.Strategy{store.TierDesktop: hand, store.TierMobile: db}, got.Overrides["openrouter/K"])
	assert.Len(t, old.Overrides["openrouter/K"], 1, "the snapshot's document is unchanged")
	assert.Equal(t, []string{"scenarios/calendar.yaml: override of openrouter/K on tier-2-desktop: kept the store's strip (the source says prompt)"}, r.Kept)
}
