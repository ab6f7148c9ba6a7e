package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// test that the start-up lines give the dashboard's and the API's
// addresses, and that / sends a browser to the dashboard.
func TestServeRootRedirectsToDashboard(t *testing.T) {
	dir := storetest.NewExample(t)
	srv := startServe(t, "--store", dir)
	require.Eventually(t, func() bool { return strings.Contains(srv.stderr.String(), "dashboard ") }, 5*time.Second, 50*time.Millisecond)
	assert.Contains(t, srv.stderr.String(), "secretsctl: dashboard "+srv.url+"/ui/, API "+srv.url+"/api/v1/")

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		req, err := http.NewRequest(method, srv.url+"/", nil)
		require.NoError(t, err)
		resp, err := noFollow.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusFound, resp.StatusCode, method)
		assert.Equal(t, "/ui/", resp.Header.Get("Location"), method)
	}
	status, _, body := srv.get(t, "/")
	assert.Equal(t, http.StatusOK, status, "the redirect leads to the dashboard")
	assert.Contains(t, string(body), "<html")
}
