package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/pgtest"
	"github.com/secretsctl/secretsctl/store"
)

const vrooliFixture = "testdata/vrooli"

// canaryDefault is the default_value the fixture's seed sets: the import
// must never read it, so it appears nowhere.
const canaryDefault = "canary-default-value"

// TestImportVrooliDatabase imports the project's own schema-compatible
// fixture from a real PostgreSQL: every row is accounted for, each field
// the store can hold is carried over, the rest is listed with its reason.
func TestImportVrooliDatabase(t *testing.T) {
	pg := pgtest.Start(t)
	url := pg.CreateDB(t, "secrets_manager")
	pg.LoadFile(t, "secrets_manager", filepath.Join(vrooliFixture, "schema.sql"))
	pg.LoadFile(t, "secrets_manager", filepath.Join(vrooliFixture, "seed.sql"))
	// The import needs nothing but SELECT: it runs as a role that may not write.
	pg.Exec(t, "secrets_manager", "CREATE ROLE reader LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
	storeDir := newImportStore(t)
	fixture, err := filepath.Abs(vrooliFixture)
	require.NoError(t, err)
	report := importVrooli(t, storeDir, fixture, strings.Replace(url, "postgres://postgres@", "postgres://reader@", 1), true)

	assertEveryRowAccounted(t, storeDir, url, report)
	assertFaithfulResources(t, storeDir)
	assert.Contains(t, report, "normalised resource names: resource-n8n → n8n, resource-openrouter → openrouter\n")
	assert.Contains(t, report, "database (read in one transaction, isolation repeatable read, read-only on): "+
		"imported 4 of 6 secrets, 5 of 7 strategies, 2 of 3 overrides\n")
	for _, line := range []string{
		"resource_secrets.row of n8n/bad key: secret key \"bad key\" is not a valid key",
		"resource_secrets.row of resource-n8n/N8N_ENCRYPTION_KEY: the same secret as n8n/N8N_ENCRYPTION_KEY once names are normalised; the first row is kept",
		"resource_secrets.owner_team of postgres/POSTGRES_HOST: the store has no owner field",
		"resource_secrets.owner_contact of postgres/POSTGRES_HOST: the store has no owner field",
		"resource_secrets.default_value of n8n/N8N_ENCRYPTION_KEY: documents hold no values (it was not read)",
		"resource_secrets.last_rotated_at of n8n/N8N_ENCRYPTION_KEY: rotation history is the ledger's",
		"resource_secrets.validation_pattern of n8n/N8N_ENCRYPTION_KEY: not a valid regular expression",
		"resource_secrets.documentation_url of n8n/N8N_ENCRYPTION_KEY: not an http(s) URL",
		"secret_deployment_strategies.generator_template of postgres/POSTGRES_PASSWORD@tier-2-desktop: not a store generator",
		"secret_deployment_strategies.bundle_hints.value of postgres/POSTGRES_PASSWORD@tier-4-saas: the store refuses",
		"secret_deployment_strategies.fallback_strategy of openrouter/OPENROUTER_API_KEY@tier-2-desktop: the store holds one strategy per tier",
		"secret_deployment_strategies.prompt_label of openrouter/OPENROUTER_API_KEY@tier-4-saas: only a prompt strategy has a label",
		"secret_deployment_strategies.row of openrouter/OPENROUTER_API_KEY@tier-9-moon: unknown tier \"tier-9-moon\"",
		"secret_deployment_strategies.row of n8n/bad key@tier-1-local: its resource_secrets row was not imported",
		"scenario_secret_strategy_overrides.row of no-such-scenario:postgres/POSTGRES_HOST@tier-1-local: scenario \"no-such-scenario\" has no .vrooli/service.json",
		"to review: postgres/POSTGRES_PASSWORD on tier-2-desktop: generate strategy has no generator",
		"to review: postgres/POSTGRES_PASSWORD on tier-2-desktop: an infrastructure secret set to generate on a tier that ships to end users",
		"to review: openrouter/OPENROUTER_API_KEY on tier-4-saas: delegate strategy needs a provider and a reference",
	} {
		assert.Contains(t, report, "\n"+prefixFor(line)+line)
	}
	assertMappedFields(t, snapshot(t, storeDir))
	assertNoCanary(t, storeDir, report)
}

// prefixFor is the report's prefix of an expected line: strategies to
// review carry their own.
func prefixFor(line string) string {
	if strings.HasPrefix(line, "to review: ") {
		return ""
	}
	return "not mapped: "
}

// assertMappedFields checks each field of the fixture the store can hold.
func assertMappedFields(t *testing.T, sn *store.Snapshot) {
	t.Helper()
	pg, err := sn.Resource("postgres")
	require.NoError(t, err)
	pw := pg.Secrets[1]
	require.Equal(t, "POSTGRES_PASSWORD", pw.Key)
	assert.Equal(t, store.Infrastructure, pw.Classification)
	assert.Equal(t, "password", pw.Type)
	assert.Equal(t, "90d", pw.RotateAfter)
	assert.Equal(t, ".{8,}", pw.ValidationPattern)
	saas := pw.Strategies[store.TierSaaS]
	assert.Equal(t, store.Generate, saas.Strategy)
	assert.Equal(t, &store.Generator{Type: "random", Length: 25, Charset: "alnum"}, saas.Generator)
	assert.Equal(t, "Generate secure database password during VPS deployment", saas.Reason)
	assert.Equal(t, map[string]string{"class": "per_install_generated", "target_type": "env", "priority": "2"}, saas.BundleHints)

	or, err := sn.Resource("openrouter")
	require.NoError(t, err)
	require.Len(t, or.Secrets, 1)
	key := or.Secrets[0]
	assert.Equal(t, store.User, key.Classification)
	assert.Equal(t, "OpenRouter API key", key.Description, "the database's description wins over the file's")
	assert.Equal(t, "https://openrouter.ai/keys", key.DocumentationURL)
	assert.Equal(t, &store.PromptSpec{Label: "OpenRouter API key", Description: "Paste the key from openrouter.ai"}, key.Strategies[store.TierDesktop].Prompt)

	cal, err := sn.Scenario("calendar")
	require.NoError(t, err)
	assert.Equal(t, []store.ResourceUse{{Name: "n8n"}, {Name: "openrouter", Optional: true}, {Name: "postgres"}}, cal.Resources)
	ov := cal.Overrides["openrouter/OPENROUTER_API_KEY"][store.TierDesktop]
	assert.Equal(t, store.Prompt, ov.Strategy)
	assert.Equal(t, &store.PromptSpec{Label: "Your OpenRouter key for calendar hints", Description: "Paste the key from openrouter.ai"}, ov.Prompt,
		"an override's null columns inherit the resource's strategy")
	assert.Equal(t, "calendar asks in its own words", ov.Reason)
	gen := cal.Overrides["n8n/N8N_ENCRYPTION_KEY"][store.TierLocal]
	assert.Equal(t, &store.Generator{Type: "hex", Bytes: 32}, gen.Generator)
	assert.Contains(t, gen.Reason, "no override_reason recorded")
}

// assertNoCanary proves the default_value column was never read.
func assertNoCanary(t *testing.T, storeDir, report string) {
	t.Helper()
	assert.NotContains(t, report, canaryDefault)
	require.NoError(t, filepath.WalkDir(storeDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		assert.NotContains(t, string(data), canaryDefault, path)
		return err
	}))
}

// TestImportVrooliReimport: a second import changes nothing and prints a
// short summary; a decision the store made by hand survives and is listed.
func TestImportVrooliReimport(t *testing.T) {
	url := vrooliDB(t, filepath.Join(vrooliFixture, "schema.sql"), filepath.Join(vrooliFixture, "seed.sql"))
	storeDir := newImportStore(t)
	fixture, err := filepath.Abs(vrooliFixture)
	require.NoError(t, err)
	first := importVrooli(t, storeDir, fixture, url, false)
	assert.NotContains(t, first, "created resources/", "documents are listed only with --verbose")
	assert.Contains(t, first, "not mapped: 16 fields (--verbose lists every row):\n")
	assert.Contains(t, first, "  resource_secrets.owner_team of 2 rows: the store has no owner field\n")

	again := importVrooli(t, storeDir, fixture, url, false)
	assert.Contains(t, again, "the store is up to date; nothing to commit\n")
	assert.Less(t, len(again), 2000, again)

	st, err := store.Open(storeDir, store.Options{})
	require.NoError(t, err)
	sn, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	r, err := sn.Resource("openrouter")
	require.NoError(t, err)
	r.Secrets[0].Classification = store.Service
	r.Secrets[0].Strategies[store.TierDesktop] = store.Strategy{Strategy: store.Strip, Reason: "decided by hand"}
	_, _, err = st.Commit(context.Background(), store.Change{Documents: map[string]any{"resources/openrouter.yaml": r},
		Message: store.Message{Action: "edit", Subject: "edit: openrouter by hand"}, Parent: sn.Revision})
	require.NoError(t, err)

	kept := importVrooli(t, storeDir, fixture, url, false)
	assert.Contains(t, kept, `kept: resources/openrouter.yaml: OPENROUTER_API_KEY classification: kept the store's "service" (the source says "user")`)
	assert.Contains(t, kept, "kept: resources/openrouter.yaml: OPENROUTER_API_KEY strategy on tier-2-desktop: kept the store's strip (the source says prompt)")
	assert.Contains(t, kept, "the store is up to date; nothing to commit\n")
}
