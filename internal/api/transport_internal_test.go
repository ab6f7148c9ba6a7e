package api

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timedServer serves h with short timeouts on 127.0.0.1.
func timedServer(t *testing.T, h http.Handler, read, write time.Duration) string {
	t.Helper()
	srv := New(Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	hs := srv.HTTPServer(h)
	hs.hs.ReadHeaderTimeout, hs.hs.ReadTimeout, hs.hs.WriteTimeout, hs.hs.IdleTimeout = read, read, write, read
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Shutdown(context.Background()) })
	return ln.Addr().String()
}

// test that a client that sends its request head too slowly loses the
// connection (net/http closes it without an answer), and an idle
// kept-alive connection is closed.
func TestTransportReadTimeout(t *testing.T) {
	addr := timedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), 300*time.Millisecond, time.Second)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n") // and never the blank line
	require.NoError(t, err)
	start := time.Now()
	out, err := io.ReadAll(c)
	require.NoError(t, err, "the server closes the connection")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Empty(t, string(out), "no answer to a request that never arrived")

	idle, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer idle.Close()
	require.NoError(t, idle.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(idle, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	require.NoError(t, err)
	out, err = io.ReadAll(idle) // the answer, then the close after the idle time
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(out), "HTTP/1.1 200 OK\r\n"), "%q", out)
}

// test that an answer to a client that reads nothing gives up after the
// write timeout instead of holding the connection forever.
func TestTransportWriteTimeout(t *testing.T) {
	big := strings.Repeat("x", 32<<20)
	done := make(chan struct{})
	addr := timedServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, big)
		close(done)
	}), time.Second, 300*time.Millisecond)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	require.NoError(t, err)
	<-done
	time.Sleep(2 * time.Second) // the server's write times out meanwhile
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	n, err := io.Copy(io.Discard, c)
	assert.NoError(t, err, "the server closed the connection")
	assert.Less(t, n, int64(len(big)), "the 32 MiB answer was cut off")
}
