package plan_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func exampleSnapshot(t *testing.T) *store.Snapshot { return storetest.ExampleSnapshot(t) }

// TestGoldenExamplePlans pins every plan of the example store.
func TestGoldenExamplePlans(t *testing.T) {
	sn := exampleSnapshot(t)
	n := 0
	for _, name := range sn.ScenarioNames() {
		sc, err := sn.Scenario(name)
		require.NoError(t, err)
		for _, tier := range plan.ShippedTiers(sn.Tiers(), sc) {
			m, err := plan.ForSnapshot(sn, name, tier.ID)
			require.NoError(t, err)
			got, err := plan.Recorded(m)
			require.NoError(t, err)
			golden := filepath.Join("testdata", "golden", name, tier.ID+".json")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run go test ./internal/plan -update")
			assert.Equal(t, string(want), string(got), golden)
			n++
		}
	}
	assert.Equal(t, 17, n, "scenario × tier pairs of the example store")
}

func TestPlanIsDeterministicAndAliasesAgree(t *testing.T) {
	sn := exampleSnapshot(t)
	var outputs []string
	for _, tier := range []string{"desktop", "tier-2-desktop", "2", "Desktop"} {
		m, err := plan.ForSnapshot(sn, "picker-wheel", tier)
		require.NoError(t, err)
		b, err := plan.Encode(m)
		require.NoError(t, err)
		outputs = append(outputs, string(b))
	}
	for _, o := range outputs[1:] {
		assert.Equal(t, outputs[0], o)
	}
	m, err := plan.ForSnapshot(sn, "picker-wheel", "desktop")
	require.NoError(t, err)
	assert.Equal(t, sn.Revision, m.Revision)
	assert.Equal(t, sn.Time, m.GeneratedAt)
	assert.Equal(t, storetest.FixedDate, m.GeneratedAt.Format(time.RFC3339))
}

func TestPlanErrors(t *testing.T) {
	sn := exampleSnapshot(t)
	_, err := plan.ForSnapshot(sn, "picker-wheel", "desktop2")
	var ut *store.UnknownTierError
	require.ErrorAs(t, err, &ut)
	for _, valid := range []string{"tier-1-local", "tier-2-desktop (desktop, 2)", "tier-4-saas (saas, cloud, 4)"} {
		assert.Contains(t, err.Error(), valid)
	}
	_, err = plan.ForSnapshot(sn, "picker-whee", "desktop")
	require.ErrorIs(t, err, store.ErrNotFound)
	assert.Contains(t, err.Error(), `"picker-whee"`)
	_, err = plan.ForSnapshot(sn, "agent-inbox", "mobile")
	var ns *plan.NotShippedError
	require.ErrorAs(t, err, &ns)
}

func TestPickerWheelDesktop(t *testing.T) {
	sn := exampleSnapshot(t)
	m, err := plan.ForSnapshot(sn, "picker-wheel", "desktop")
	require.NoError(t, err)
	assert.Equal(t, []string{"n8n", "ollama", "postgres"}, m.Resources)
	assert.Equal(t, []string{"n8n:WEBHOOK_URL"}, m.Summary.BlockingSecrets)
	assert.Equal(t, store.IntegrityVerified, m.Integrity)

	byID := map[string]store.ManifestSecret{}
	for _, s := range m.Secrets {
		byID[s.ID] = s
	}
	assert.Equal(t, store.SourceOverride, byID["n8n/N8N_PASSWORD"].StrategySource)
	assert.Equal(t, store.SourcePolicy, byID["postgres/POSTGRES_HOST"].StrategySource)
	assert.Equal(t, store.SourceScenario, byID["picker-wheel/SESSION_SECRET"].StrategySource)
	assert.Equal(t, store.SourceNone, byID["n8n/WEBHOOK_URL"].StrategySource)
	assert.False(t, byID["ollama/OLLAMA_HOST"].Required, "secrets of an optional resource are not required")
	assert.Equal(t, "generate", byID["postgres/POSTGRES_PASSWORD"].TierStrategies[store.TierSaaS])

	for _, b := range m.BundleSecrets {
		s := byID[b.ID]
		assert.NotEqual(t, store.Infrastructure, s.Classification, b.ID)
		assert.NotEqual(t, store.Unspecified, s.HandlingStrategy, b.ID)
	}
	var classes []string
	for _, b := range m.BundleSecrets {
		classes = append(classes, b.ID+"="+b.Class)
	}
	assert.Equal(t, []string{
		"n8n/N8N_ENCRYPTION_KEY=per_install_generated",
		"n8n/N8N_JWT_SECRET=per_install_generated",
		"n8n/N8N_PASSWORD=per_install_generated",
		"ollama/OLLAMA_API_BASE_URL=user_prompt",
		"picker-wheel/SESSION_SECRET=per_install_generated",
	}, classes)
}

// manyBlocking builds, without any I/O, a scenario with 14 secrets of which
// 12 block on desktop for different reasons.
func manyBlocking(t *testing.T) plan.Input {
	cat, err := store.NewTierCatalog(nil)
	require.NoError(t, err)
	desktop, err := cat.Resolve("desktop")
	require.NoError(t, err)
	res := &store.Resource{Version: 1, Name: "big"}
	for i := range 10 {
		res.Secrets = append(res.Secrets, store.Secret{Key: fmt.Sprintf("UNSET_%02d", i), Classification: store.Service, Required: true})
	}
	res.Secrets = append(res.Secrets,
		store.Secret{Key: "DB_PASSWORD", Classification: store.Infrastructure,
			Strategies: map[string]store.Strategy{store.TierDesktop: {Strategy: store.Generate, Generator: &store.Generator{Type: "random", Length: 20}}}},
		store.Secret{Key: "NO_LABEL", Classification: store.User,
			Strategies: map[string]store.Strategy{store.TierDesktop: {Strategy: store.Prompt}}},
		store.Secret{Key: "API_KEY", Classification: store.User,
			Strategies: map[string]store.Strategy{store.TierDesktop: {Strategy: store.Prompt, Prompt: &store.PromptSpec{Label: "API key"}}}},
		store.Secret{Key: "DB_HOST", Classification: store.Infrastructure},
	)
	return plan.Input{
		Tiers:     cat,
		Policy:    store.Policy{Defaults: map[store.Classification]map[string]store.Strategy{store.Infrastructure: {store.TierDesktop: {Strategy: store.Strip}}}},
		Scenario:  &store.Scenario{Version: 1, Name: "big-app", Resources: []store.ResourceUse{{Name: "big"}}},
		Resources: map[string]*store.Resource{"big": res},
		Tier:      desktop,
		Revision:  "0123456789abcdef0123456789abcdef01234567",
		Time:      time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Integrity: store.IntegrityVerified,
	}
}

func TestSummaryWithManyBlockingSecrets(t *testing.T) {
	m := plan.Build(manyBlocking(t))
	sum := m.Summary
	assert.Equal(t, 14, sum.TotalSecrets)
	assert.Equal(t, 4, sum.StrategizedSecrets, "DB_PASSWORD, NO_LABEL, API_KEY and DB_HOST (policy) have a strategy")
	assert.Equal(t, 12, sum.RequiresAction)
	require.Len(t, sum.BlockingSecrets, 12, "every blocking secret is listed, untruncated")
	assert.Equal(t, "big:DB_PASSWORD", sum.BlockingSecrets[0])
	assert.Equal(t, "big:UNSET_09", sum.BlockingSecrets[11])
	assert.Equal(t, map[string]int{"service": 10, "infrastructure": 2, "user": 2}, sum.ClassificationWeights)
	assert.Equal(t, map[string]int{"unspecified": 10, "generate": 1, "prompt": 2, "strip": 1}, sum.StrategyBreakdown)
	assert.Equal(t, map[string]string{"service": "blocked", "infrastructure": "blocked", "user": "blocked"}, sum.ScopeReadiness)

	codes := map[string]string{}
	for _, d := range sum.BlockingSecretDetails {
		codes[d.Secret] = d.Code
	}
	assert.Equal(t, plan.CodeInfrastructureEndUser, codes["DB_PASSWORD"])
	assert.Equal(t, plan.CodeIncompleteStrategy, codes["NO_LABEL"])
	assert.Equal(t, plan.CodeMissingStrategy, codes["UNSET_00"])

	require.Len(t, m.BundleSecrets, 1, "only API_KEY reaches the bundle")
	assert.Equal(t, "big/API_KEY", m.BundleSecrets[0].ID)
	assert.Equal(t, store.ClassUserPrompt, m.BundleSecrets[0].Class)
	assert.Equal(t, store.BundleTarget{Type: "env", Name: "API_KEY"}, m.BundleSecrets[0].Target)
}

// TestManifestsValidateAgainstSchema checks every example plan, and one
// with many blocking secrets, against jsonschema/manifest.schema.json.
func TestManifestsValidateAgainstSchema(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(storetest.Root(), "jsonschema", "manifest.schema.json"))
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("manifest.schema.json", doc))
	schema, err := c.Compile("manifest.schema.json")
	require.NoError(t, err)

	sn := exampleSnapshot(t)
	pairs, err := plan.Pairs(context.Background(), sn, "", "")
	require.NoError(t, err)
	manifests := []*store.Manifest{plan.Build(manyBlocking(t))}
	require.NoError(t, plan.Each(context.Background(), sn, pairs, func(m *store.Manifest) error {
		manifests = append(manifests, m)
		return nil
	}))
	for _, m := range manifests {
		b, err := plan.Encode(m)
		require.NoError(t, err)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		require.NoError(t, err)
		assert.NoError(t, schema.Validate(inst), "%s on %s", m.Scenario, m.TierID)
	}
}

func TestManifestMatchesSchemaFields(t *testing.T) {
	m := plan.Build(manyBlocking(t))
	b, err := plan.Encode(m)
	require.NoError(t, err)
	for _, field := range []string{
		`"scenario"`, `"tier"`, `"generated_at"`, `"resources"`, `"secrets"`, `"bundle_secrets"`, `"summary"`,
		`"id"`, `"resource_name"`, `"secret_key"`, `"secret_type"`, `"required"`, `"classification"`,
		`"description"`, `"validation_pattern"`, `"handling_strategy"`, `"requires_user_input"`, `"prompt"`,
		`"generator_template"`, `"tier_strategies"`, `"class"`, `"format"`, `"target"`,
		`"total_secrets"`, `"strategized_secrets"`, `"requires_action"`, `"blocking_secrets"`,
		`"classification_weights"`, `"strategy_breakdown"`, `"scope_readiness"`,
		`"revision"`, `"tier_id"`, `"strategy_source"`, `"targets"`, `"integrity"`,
	} {
		assert.Contains(t, string(b), field+":")
	}
}

func BenchmarkPlanWarm(b *testing.B) {
	dir := storetest.NewExample(b)
	s, err := store.Open(dir, store.Options{})
	require.NoError(b, err)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(b, err)
	_, err = plan.ForSnapshot(sn, "picker-wheel", "desktop") // warm: documents decoded
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plan.ForSnapshot(sn, "picker-wheel", "desktop"); err != nil {
			b.Fatal(err)
		}
	}
}
