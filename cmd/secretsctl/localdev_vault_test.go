package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/internal/vaulttest"
)

// env --format json with all three sources configured: each value carries
// the provenance of the source that won, in the configured order.
func TestEnvJSONProvenanceFromAllThreeSources(t *testing.T) {
	srv := vaulttest.Start(t)
	dir := storetest.NewExample(t)
	srv.Put(t, "postgres/POSTGRES_PASSWORD", map[string]any{"value": "from-vault"})
	srv.Put(t, "n8n/N8N_PASSWORD", map[string]any{"value": "from-vault-n8n"})
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("# local\nPOSTGRES_PASSWORD=from-dotenv\nPOSTGRES_USER=from-dotenv\n"), 0o600))
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "secretsctl")
	require.NoError(t, os.MkdirAll(cfg, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(cfg, "sources.yaml"), []byte(fmt.Sprintf(`version: 1
sources:
  - kind: hashicorp-vault
    address: %s
  - kind: dotenv
    path: .env
  - kind: filesystem
`, srv.Addr)), 0o644))
	t.Setenv("VAULT_TOKEN", vaulttest.RootToken)

	cmd := secretsctl(t, dir, "env", "-s", "picker-wheel", "--format", "json")
	out, err := cmd.Output()
	require.NoError(t, err)
	var res struct {
		Revision string
		Values   []struct {
			ID, Value string
			Source    map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(out, &res))
	got := map[string]map[string]any{}
	values := map[string]string{}
	for _, v := range res.Values {
		got[v.ID], values[v.ID] = v.Source, v.Value
	}
	assert.Equal(t, "from-vault", values["postgres/POSTGRES_PASSWORD"], "vault is first")
	assert.Equal(t, map[string]any{"kind": "hashicorp-vault", "name": "hashicorp-vault", "address": srv.Addr,
		"path": "secret/data/postgres/POSTGRES_PASSWORD", "field": "value", "version": float64(1)}, got["postgres/POSTGRES_PASSWORD"])
	assert.Equal(t, "from-vault-n8n", values["n8n/N8N_PASSWORD"])
	assert.Equal(t, "from-dotenv", values["postgres/POSTGRES_USER"])
	assert.Equal(t, map[string]any{"kind": "dotenv", "name": "dotenv", "file": filepath.Join(dir, ".env"), "line": float64(3),
		"variable": "POSTGRES_USER"}, got["postgres/POSTGRES_USER"])
	assert.Equal(t, "demo-only-session-secret-0123456789abcdef", values["picker-wheel/SESSION_SECRET"])
	assert.Equal(t, map[string]any{"kind": "filesystem", "name": "filesystem", "file": "vault/local.yaml", "revision": res.Revision},
		got["picker-wheel/SESSION_SECRET"])

	// sources --check sees all three; with Vault stopped it is unreadable and
	// env fails naming VAULT_ADDR instead of falling back.
	check := secretsctl(t, dir, "sources", "--check")
	out, err = check.Output()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "hashicorp-vault")

	t.Setenv("VAULT_TOKEN", "not-a-token")
	cmd = secretsctl(t, dir, "env", "-s", "picker-wheel")
	stderr, err := cmd.CombinedOutput()
	assert.Equal(t, 1, exitCodeOf(t, err))
	assert.Contains(t, string(stderr), "VAULT_ADDR="+srv.Addr)
	assert.Contains(t, string(stderr), "secret/data/")
	assert.NotContains(t, string(stderr), "from-")
	check = secretsctl(t, dir, "sources", "--check")
	out, err = check.CombinedOutput()
	assert.Equal(t, 10, exitCodeOf(t, err), "%s", out)
	assert.Contains(t, string(out), "UNREADABLE")
}
