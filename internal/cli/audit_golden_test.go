package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/ledger"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden")

// goldenAudit holds two values of two secrets of one deployment, which
// only the secret id tells apart, and a revoked one.
func goldenAudit() *ledger.Audit {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	fp := func(c byte) string { return "hmac-sha256:" + string(bytes.Repeat([]byte{c}, 64)) }
	commit := func(c byte) string { return string(bytes.Repeat([]byte{c}, 40)) }
	return &ledger.Audit{Revision: commit('9'), Integrity: "unverified",
		Holdings: []ledger.Holding{
			{SecretID: "app/DB_PASSWORD", Scenario: "app", Deployment: "acme-prod", Tier: "tier-4-saas", Fingerprint: fp('a'), Status: "active", Since: t0, Commit: commit('1')},
			{SecretID: "app/SESSION_SECRET", Scenario: "app", Deployment: "acme-prod", Tier: "tier-4-saas", Fingerprint: fp('b'), Status: "previous", Since: t0, Commit: commit('1')},
			{SecretID: "app/SESSION_SECRET", Scenario: "app", Deployment: "acme-prod", Tier: "tier-4-saas", Fingerprint: fp('c'), Status: "active", Since: t1, Commit: commit('2')},
			{SecretID: "app/API_TOKEN", Scenario: "app", Deployment: "acme-prod", Tier: "tier-4-saas", Fingerprint: fp('d'), Status: "revoked", Since: t0, Commit: commit('1'), Revoked: t1, Reason: "laptop stolen"},
		},
		Trail: []ledger.TrailEntry{
			{Commit: commit('2'), Author: "Ops Bot", Email: "ops@example.com", Time: t1, Action: "rotate", Scenario: "app", Deployment: "acme-prod", Tier: "tier-4-saas",
				Secrets: []ledger.TrailSecret{{SecretID: "app/SESSION_SECRET", Fingerprint: fp('c'), Status: "active"}, {SecretID: "app/SESSION_SECRET", Fingerprint: fp('b'), Status: "previous"}}},
		},
	}
}

// TestAuditGolden pins audit's text and JSON: every holding row carries
// its secret id. go test ./internal/cli -run TestAuditGolden -update
// rewrites the files.
func TestAuditGolden(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			e := &env{stdout: &out}
			if format == "json" {
				require.NoError(t, writeJSON(e, goldenAudit()))
			} else {
				require.NoError(t, auditText(e, goldenAudit()))
			}
			assertGolden(t, filepath.Join("testdata", "golden", "audit."+format), out.Bytes())
		})
	}
}

func assertGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *updateGolden {
		require.NoError(t, os.WriteFile(file, got, 0o644))
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), string(got))
}
