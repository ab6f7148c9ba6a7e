package cli

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/api"
)

// test that a SIGTERM before serving starts (while the store or the
// replica opens) ends serve at once, with no error.
func TestServeUntilDoneStoppedBeforeServing(t *testing.T) {
	srv := api.New(api.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() { done <- serveUntilDone(ctx, srv.HTTPServer(srv), ln) }()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		ln.Close()
		t.Fatal("serve did not stop")
	}
}
