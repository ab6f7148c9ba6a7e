package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/api"
	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/internal/storetest"
)

// test that a server holding the key refuses to summarise a ledger with an
// event forged by a pusher without keys: 422, the integrity code, the file
// named, the value never.
func TestForgedLedgerEventIs422(t *testing.T) {
	f := newFixture(t, api.Options{})
	_, err := (&ledger.Writer{Store: f.st}).Issue(t.Context(), ledger.IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: "acme", Out: t.TempDir()})
	require.NoError(t, err)
	const value = "attacker-chosen-value-77d2"
	rel := storetest.ForgeRotation(t, f.dir, "picker-wheel", "acme", "picker-wheel/SESSION_SECRET", value)

	var status int
	var body []byte
	// The server sees the new HEAD within its freshness window.
	require.Eventually(t, func() bool {
		status, _, body = f.get(t, "/api/v1/deployments?scenario=picker-wheel")
		return status != http.StatusOK
	}, 5*time.Second, 20*time.Millisecond, "still 200: %s", body)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "integrity", errorCode(t, body))
	assert.Contains(t, string(body), rel)
	assert.False(t, strings.Contains(string(body), value))

	// The verdict is remembered for the ledger commit, not forgotten.
	status, _, body = f.get(t, "/api/v1/deployments?scenario=picker-wheel")
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, string(body), rel)
}
