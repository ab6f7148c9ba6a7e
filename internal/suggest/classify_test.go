package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

func catalog(t *testing.T) *store.TierCatalog {
	t.Helper()
	c, err := store.NewTierCatalog(nil)
	require.NoError(t, err)
	return c
}

// TestClassifyByName covers the name rules with keys of the kind a Vrooli
// installation declares (written here, not copied from its files).
func TestClassifyByName(t *testing.T) {
	tests := []struct {
		owner, key, typ string
		class           store.Classification
		rule            string
	}{
		{"postgres", "POSTGRES_HOST", "", store.Infrastructure, RuleDataStore},
		{"postgres", "POSTGRES_PORT", "", store.Infrastructure, RuleDataStore},
		{"resource-redis", "REDIS_PASSWORD", "password", store.Infrastructure, RuleDataStore},
		{"minio", "MINIO_ACCESS_KEY", "api_key", store.Infrastructure, RuleDataStore},
		{"psql-client", "PGPASSWORD", "", store.Infrastructure, RuleDataStore},
		{"my-app", "POSTGRES_USER", "", store.Infrastructure, RuleDataStore},
		{"huginn", "DATABASE_URL", "credential", store.Infrastructure, RuleDatabaseURL},
		{"n8n", "N8N_JWT_SECRET", "credential", store.Service, RuleSigningKey},
		{"n8n", "N8N_ENCRYPTION_KEY", "credential", store.Service, RuleSigningKey},
		{"web", "SESSION_SECRET", "", store.Service, RuleSigningKey},
		{"hooks", "INTERNAL_API_TOKEN", "jwt", store.Service, RuleSigningKey},
		{"openrouter", "OPENROUTER_API_KEY", "", store.User, RuleThirdPartyKey},
		{"twilio", "TWILIO_AUTH_TOKEN", "", store.User, RuleThirdPartyKey},
		{"twilio", "TWILIO_ACCOUNT_SID", "", store.User, RuleThirdPartyKey},
		{"github", "GITHUB_TOKEN", "", store.User, RuleThirdPartyKey},
		{"mail", "MAIL_ADMIN_PASSWORD", "", store.Infrastructure, RuleAdminCredential},
		{"mqtt", "MQTT_USER", "", store.Infrastructure, RuleAdminCredential},
		{"ollama", "OLLAMA_HOST", "env_var", store.Infrastructure, RuleEndpoint},
		{"n8n", "WEBHOOK_URL", "env_var", store.Infrastructure, RuleEndpoint},
		{"gemini", "GEMINI_DEFAULT_MODEL", "", store.Infrastructure, RuleFallback},
	}
	for _, tt := range tests {
		t.Run(tt.owner+"/"+tt.key, func(t *testing.T) {
			got := Classify(catalog(t), tt.owner, store.Secret{Key: tt.key, Type: tt.typ}, nil)
			assert.Equal(t, tt.class, got.Class)
			assert.Equal(t, tt.rule, got.Rule)
			assert.NotEmpty(t, got.Because)
		})
	}
}

func TestClassifyByWhatTheStoreHolds(t *testing.T) {
	tiers := catalog(t)
	prompted := store.Secret{Key: "DB_PASSWORD", Strategies: map[string]store.Strategy{store.TierDesktop: {Strategy: store.Prompt}}}
	got := Classify(tiers, "postgres", prompted, nil)
	assert.Equal(t, Classified{store.User, RuleDeclaredStrategy, "it is already prompted for on tier-2-desktop, which ships to end users"}, got,
		"a strategy the store holds wins over the name, so the suggestion cannot break the hard rule")
	stripped := store.Secret{Key: "API_TOKEN", Strategies: map[string]store.Strategy{store.TierDesktop: {Strategy: store.Strip}}}
	assert.Equal(t, RuleThirdPartyKey, Classify(tiers, "x", stripped, nil).Rule, "strip says nothing about whose secret it is")

	peers := []store.Secret{{Key: "A", Classification: store.Service}, {Key: "B", Classification: store.Service}, {Key: "MAX_SESSIONS"}}
	assert.Equal(t, Classified{store.Service, RulePeers, "all 2 classified secrets of browserless are service"},
		Classify(tiers, "browserless", peers[2], peers))
	mixed := append(peers, store.Secret{Key: "C", Classification: store.User})
	assert.Equal(t, RuleFallback, Classify(tiers, "browserless", peers[2], mixed).Rule, "peers that disagree decide nothing")
}

// TestStrategyNeverShipsInfrastructure: whatever the tier, infrastructure
// is stripped; service and user strategies are complete.
func TestStrategyNeverShipsInfrastructure(t *testing.T) {
	for _, tier := range catalog(t).Tiers() {
		st, rule, why := StrategyFor(store.Infrastructure, tier, store.Secret{Key: "K"})
		assert.Equal(t, store.Strategy{Strategy: store.Strip}, st, tier.ID)
		assert.Equal(t, RuleInfrastructureStrip, rule)
		assert.NotEmpty(t, why)

		st, _, _ = StrategyFor(store.Service, tier, store.Secret{Key: "APP_JWT_SECRET"})
		assert.Equal(t, store.Generate, st.Strategy)
		assert.Equal(t, "jwt-secret", st.Generator.Type)
		assert.Equal(t, map[bool]store.GenerateAt{true: store.AtInstall, false: store.AtBundle}[tier.ShipsToEndUsers], st.At, tier.ID)

		st, _, _ = StrategyFor(store.User, tier, store.Secret{Key: "X_API_KEY", Description: "X API key"})
		assert.Equal(t, store.Strategy{Strategy: store.Prompt, Prompt: &store.PromptSpec{Label: "X API key", Description: "X API key"}}, st)
	}
}

func TestGeneratorByName(t *testing.T) {
	for key, want := range map[string]string{"N8N_ENCRYPTION_KEY": "base64", "ADMIN_PASSWORD": "password", "APP_JWT_SECRET": "jwt-secret", "WEBHOOK_SECRET": "random"} {
		assert.Equal(t, want, generatorFor(store.Secret{Key: key}).Type, key)
	}
	assert.Equal(t, "uuid", generatorFor(store.Secret{Key: "WEBHOOK_ID", Type: "uuid"}).Type)
}

func TestServiceAddressIsStrippedNotGenerated(t *testing.T) {
	tier, err := catalog(t).Resolve("desktop")
	require.NoError(t, err)
	st, rule, _ := StrategyFor(store.Service, tier, store.Secret{Key: "WEBHOOK_URL"})
	assert.Equal(t, store.Strategy{Strategy: store.Strip}, st)
	assert.Equal(t, RuleServiceEndpoint, rule)
}
