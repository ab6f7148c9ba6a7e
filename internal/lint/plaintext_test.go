package lint

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLooksLikeDotenv(t *testing.T) {
	for file, want := range map[string]bool{
		".env":               true,
		"app/.env":           true,
		".env.local":         true,
		"production.env":     true,
		".env.example":       false,
		"app/.env.sample":    false,
		"environment.yaml":   false,
		"docs/env.md":        false,
		"plans/app/t.json":   false,
		"scripts/envsetup":   false,
		"config/.envrc.bak":  false,
		"config/prod.env.sh": false,
	} {
		assert.Equal(t, want, looksLikeDotenv(file), file)
	}
}

func TestIsDocument(t *testing.T) {
	for file, want := range map[string]bool{
		"secretsctl.yaml":             true,
		"resources/postgres.yaml":     true,
		"scenarios/app.yaml":          true,
		"vault/local.yaml":            true,
		"deployments/app/d1/x.yaml":   true,
		"resources/notes.txt":         false,
		"resources/sub/x.yaml":        false,
		"plans/app/tier-1-local.json": false,
		".sops.yaml":                  false,
	} {
		assert.Equal(t, want, isDocument(file), file)
	}
}

func TestValueInNamesTheSmallestID(t *testing.T) {
	values := map[string]string{"long-value-one": "b/B", "long-value-two": "a/A"}
	assert.Equal(t, "a/A", valueIn([]byte("x long-value-one long-value-two"), values))
	assert.Equal(t, "b/B", valueIn([]byte("long-value-one"), values))
	assert.Empty(t, valueIn([]byte("nothing here"), values))
}
