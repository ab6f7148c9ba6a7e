package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// TestGapsPostEndToEnd runs the gaps command against a real receiver on
// 127.0.0.1, with a bearer token from a file.
func TestGapsPostEndToEnd(t *testing.T) {
	dir := storetest.NewExample(t)
	var got atomic.Int32
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		got.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	tokenFile := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte("s3cr3t-token\n"), 0o600))

	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: os.Getenv, cwd: dir}
	err := runGaps(context.Background(), gapsOptions{Format: "json", Post: srv.URL + "/issues", PostFormat: "json", TokenFile: tokenFile}, e)
	require.NoError(t, err)
	assert.Equal(t, int32(1), got.Load())
	assert.Equal(t, "Bearer s3cr3t-token", auth.Load())
	assert.Contains(t, out.String(), "posted 1 tasks to "+srv.URL+"/issues")
	assert.NotContains(t, out.String()+errOut.String(), "s3cr3t-token")
}
