package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// TestLedgerEventInterop: a ledger event secretsctl writes decrypts with the
// real sops CLI, with its value, and its metadata reads back without the key.
func TestLedgerEventInterop(t *testing.T) {
	sops := sopsCLI(t)
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	const file = "deployments/picker-wheel/acme/000001-issue-00000000.yaml"
	ev := &store.LedgerEvent{Version: 1, Kind: store.LedgerEventKind, Event: store.EventIssue, Scenario: "picker-wheel",
		Deployment: "acme", Tier: "tier-4-saas", PlanRevision: "0123", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Secrets: []store.LedgerEntry{{SecretID: "picker-wheel/SESSION_SECRET", Fingerprint: "hmac-sha256:" + strings.Repeat("ab", 32),
			Status: store.StatusActive, Value: "interop-value-1"}}}
	_, ok, err := st.Commit(context.Background(), store.Change{Documents: map[string]any{file: ev},
		Message: store.Message{Subject: "issue", Action: "issue", Event: file}})
	require.NoError(t, err)
	require.True(t, ok)

	out, err := runSops(t, sops, dir, "decrypt", file)
	require.NoError(t, err)
	var plain struct {
		Secrets []struct {
			SecretID string `yaml:"secret_id"`
			Value    string `yaml:"value"`
		} `yaml:"secrets"`
	}
	require.NoError(t, yaml.Unmarshal(out, &plain))
	require.Len(t, plain.Secrets, 1)
	assert.Equal(t, "interop-value-1", plain.Secrets[0].Value)

	sn, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	files, err := sn.DeploymentFiles("picker-wheel", "acme")
	require.NoError(t, err)
	require.Len(t, files, 1)
	full, err := sn.LedgerEvent(files[0])
	require.NoError(t, err, "the event verifies and matches its schema")
	assert.Equal(t, store.SecretValue("interop-value-1"), full.Secrets[0].Value)
	meta, err := sn.LedgerEventMetadata(files[0])
	require.NoError(t, err)
	assert.Equal(t, "picker-wheel/SESSION_SECRET", meta.Secrets[0].SecretID)
	assert.Empty(t, string(meta.Secrets[0].Value), "metadata never carries a value")
	hist, err := sn.LedgerHistory()
	require.NoError(t, err)
	assert.Equal(t, "issue", hist[file].Action)
}
