package main

import (
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// test that serve runs without a key when SECRETSCTL_ALLOW_UNVERIFIED is
// set, says integrity: unverified on start, and serves manifests marked so.
func TestServeKeyless(t *testing.T) {
	dir := storetest.NewExample(t)
	os.Unsetenv("SOPS_AGE_KEY_FILE")
	t.Setenv("SECRETSCTL_ALLOW_UNVERIFIED", "1")
	srv := startServe(t, "--store", dir)
	status, _, body := srv.get(t, "/api/v1/deployment/secrets/picker-wheel?tier=desktop")
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, string(body), `"integrity": "unverified"`)
	assert.Contains(t, srv.stderr.String(), "secretsctl: integrity: unverified")
}
