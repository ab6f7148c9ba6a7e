package api_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/api"
)

// countingListener counts the write calls its connections get, below the
// coalescing layer: what reaches the socket.
type countingListener struct {
	net.Listener
	writes  atomic.Int64
	accepts atomic.Int64
	sndbuf  int // the socket send buffer, when not 0
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.accepts.Add(1)
	if l.sndbuf > 0 {
		if err := c.(*net.TCPConn).SetWriteBuffer(l.sndbuf); err != nil {
			return nil, err
		}
	}
	return &countingConn{Conn: c, l: l}, nil
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.writes.Add(1)
	return c.Conn.Write(p)
}

func (c *countingConn) CloseWrite() error { return c.Conn.(*net.TCPConn).CloseWrite() }

// coalescing serves h the way `secretsctl serve` does: NewHTTPServer on a
// CoalesceWrites listener on 127.0.0.1, over a counting layer.
func coalescing(t *testing.T, h http.Handler, tweak ...func(*http.Server, *countingListener)) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	cl := &countingListener{Listener: ln}
	hs := api.NewHTTPServer("", h)
	for _, f := range tweak {
		f(hs, cl)
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(api.CoalesceWrites(cl)) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, hs.Shutdown(ctx))
		assert.ErrorIs(t, <-done, http.ErrServerClosed)
	})
	// a client of its own, its idle connections closed before Shutdown (which
	// waits 5 s for a connection the client dialed but never used)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &testServer{addr: ln.Addr().String(), writes: cl, hs: hs, client: &http.Client{Transport: tr}}
}

type testServer struct {
	addr   string
	writes *countingListener
	hs     *http.Server
	client *http.Client
}

func (ts *testServer) get(path string) (*http.Response, error) {
	return ts.client.Get("http://" + ts.addr + path)
}

// bodyHandler answers /N with N random-looking bytes (a Content-Length
// answer, as the API's), and ETag "x" with 304 for If-None-Match: "x".
func bodyHandler(t *testing.T) (http.Handler, func(n int) []byte) {
	data := make([]byte, 1<<20)
	_, err := rand.Read(data)
	require.NoError(t, err)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil || n > len(data) {
			http.Error(w, "bad size", http.StatusBadRequest)
			return
		}
		w.Header().Set("ETag", `"x"`)
		if r.Header.Get("If-None-Match") == `"x"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		_, _ = w.Write(data[:n])
	})
	return h, func(n int) []byte { return data[:n] }
}

func TestCoalesceOneWritePerResponse(t *testing.T) {
	h, want := bodyHandler(t)
	ts := coalescing(t, h)
	conn, err := net.Dial("tcp", ts.addr)
	require.NoError(t, err)
	defer conn.Close()
	br := bufio.NewReader(conn)
	// keep-alive: GET, HEAD, 304, GET again on one connection, one write each
	for i, step := range []struct {
		method, size, hdr string
		status            int
		body              []byte
	}{
		{"GET", "14557", "", 200, want(14557)},
		{"HEAD", "14557", "", 200, nil},
		{"GET", "14557", "If-None-Match: \"x\"\r\n", 304, nil},
		{"GET", "100", "", 200, want(100)},
		{"GET", "60000", "", 200, want(60000)},
	} {
		before := ts.writes.writes.Load()
		_, err := fmt.Fprintf(conn, "%s /%s HTTP/1.1\r\nHost: x\r\n%s\r\n", step.method, step.size, step.hdr)
		require.NoError(t, err)
		resp, err := http.ReadResponse(br, &http.Request{Method: step.method})
		require.NoError(t, err)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, step.status, resp.StatusCode, "step %d", i)
		assert.Equal(t, len(step.body), len(got), "step %d", i)
		assert.True(t, bytes.Equal(step.body, got), "step %d: body differs", i)
		if step.method == "HEAD" {
			assert.Equal(t, int64(14557), resp.ContentLength)
		}
		assert.Equal(t, int64(1), ts.writes.writes.Load()-before, "step %d: %s /%s took more than one write", i, step.method, step.size)
	}
	assert.Equal(t, int64(1), ts.writes.accepts.Load())
}

func TestCoalesceLargeBodies(t *testing.T) {
	h, want := bodyHandler(t)
	ts := coalescing(t, h)
	for _, n := range []int{0, 1, 4095, 4096, 65535, 65536, 65537, 200000, 1 << 20} {
		resp, err := ts.get("/" + strconv.Itoa(n))
		require.NoError(t, err)
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want(n), got), "%d bytes: body differs (got %d)", n, len(got))
	}
}

func TestCoalescePipelined(t *testing.T) {
	h, want := bodyHandler(t)
	ts := coalescing(t, h)
	conn, err := net.Dial("tcp", ts.addr)
	require.NoError(t, err)
	defer conn.Close()
	sizes := []int{14557, 10, 70000, 0, 3000}
	var reqs strings.Builder
	for _, n := range sizes {
		fmt.Fprintf(&reqs, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", n)
	}
	fmt.Fprintf(&reqs, "HEAD /5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	_, err = io.WriteString(conn, reqs.String())
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	for _, n := range sizes {
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want(n), got), "pipelined /%d: body differs", n)
	}
	resp, err := http.ReadResponse(br, &http.Request{Method: "HEAD"})
	require.NoError(t, err)
	assert.Equal(t, int64(5), resp.ContentLength)
	// the server closes after Connection: close
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := br.Read(make([]byte, 1))
	assert.Equal(t, 0, n)
	assert.ErrorIs(t, err, io.EOF)
}

func TestCoalesceConcurrentClients(t *testing.T) {
	h, want := bodyHandler(t)
	ts := coalescing(t, h)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 20 {
				n := (i*7919 + j*104729) % 100000
				resp, err := ts.get("/" + strconv.Itoa(n))
				if !assert.NoError(t, err) {
					return
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				assert.NoError(t, err)
				assert.True(t, bytes.Equal(want(n), got), "/%d: body differs", n)
			}
		})
	}
	wg.Wait()
}

// A POST with Expect: 100-continue gets its 100 Continue at once, though
// it is written before the request body is read: the read flushes it.
func TestCoalesceExpectContinue(t *testing.T) {
	ts := coalescing(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%d", len(b))
	}))
	tr := &http.Transport{ExpectContinueTimeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest("POST", "http://"+ts.addr+"/", strings.NewReader(strings.Repeat("a", 5000)))
	require.NoError(t, err)
	req.Header.Set("Expect", "100-continue")
	start := time.Now()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "5000", string(got))
	assert.Less(t, time.Since(start), 5*time.Second, "the client waited for its ExpectContinueTimeout: 100 Continue was held")
}

// A handler that flushes gets its bytes to the client before it returns.
func TestCoalesceFlushThrough(t *testing.T) {
	seen := make(chan struct{})
	ts := coalescing(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		assert.NoError(t, http.NewResponseController(w).Flush())
		select {
		case <-seen:
			io.WriteString(w, "second\n")
		case <-time.After(5 * time.Second):
			t.Error("the client did not see the flushed line")
		}
	}))
	resp, err := ts.get("/")
	require.NoError(t, err)
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line)
	close(seen)
	rest, err := io.ReadAll(br)
	require.NoError(t, err)
	assert.Equal(t, "second\n", string(rest))
}

// A hijacked connection writes straight through.
func TestCoalesceHijack(t *testing.T) {
	ts := coalescing(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, brw, err := http.NewResponseController(w).Hijack()
		if !assert.NoError(t, err) {
			return
		}
		defer c.Close()
		io.WriteString(c, "hello\n")
		line, err := brw.ReadString('\n') // the client answers only after it saw hello
		assert.NoError(t, err)
		io.WriteString(c, "got "+line)
	}))
	conn, err := net.Dial("tcp", ts.addr)
	require.NoError(t, err)
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "hello\n", line)
	io.WriteString(conn, "ping\n")
	line, err = br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "got ping\n", line)
}

// A client that does not read hits the write timeout: the handler's write
// fails and the connection closes, instead of hanging.
func TestCoalesceSlowReaderWriteTimeout(t *testing.T) {
	wrote := make(chan error, 1)
	big := bytes.Repeat([]byte("x"), 32<<20)
	ts := coalescing(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := w.Write(big)
		wrote <- err
	}), func(hs *http.Server, _ *countingListener) { hs.WriteTimeout = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", ts.addr)
	require.NoError(t, err)
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	select {
	case err := <-wrote:
		assert.Error(t, err, "a 32 MiB write to a client that reads nothing should time out")
	case <-time.After(10 * time.Second):
		t.Fatal("the handler's write did not time out")
	}
	// the server drops the connection: reading reaches its end
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, conn)
	assert.Less(t, n, int64(len(big)))
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the server kept the connection open")
}

// A small answer to a client that does not read still leaves (the socket
// buffer takes it), and a client gone before the answer does not stall
// the server.
func TestCoalesceClientClosesEarly(t *testing.T) {
	h, want := bodyHandler(t)
	release := make(chan struct{})
	done := make(chan struct{})
	ts := coalescing(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
			w.Write(bytes.Repeat([]byte("y"), 200000))
			close(done)
			return
		}
		h.ServeHTTP(w, r)
	}))
	conn, err := net.Dial("tcp", ts.addr)
	require.NoError(t, err)
	io.WriteString(conn, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	conn.Close()
	close(release)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not finish after its client left")
	}
	resp, err := ts.get("/14557")
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.True(t, bytes.Equal(want(14557), got))
}

// Shutdown lets an in-flight request finish and delivers its whole answer.
func TestCoalesceGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	body := bytes.Repeat([]byte("z"), 14557)
	ts := coalescing(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(200 * time.Millisecond)
		w.Write(body)
	}))
	got := make(chan []byte, 1)
	go func() {
		resp, err := ts.get("/")
		if !assert.NoError(t, err) {
			got <- nil
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		assert.NoError(t, err)
		got <- b
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, ts.hs.Shutdown(ctx))
	assert.Equal(t, body, <-got)
}

// An answer held whole (under the cap) that the client does not read in
// time fails at the end of the response, where net/http ignores the error:
// the connection must close rather than answer the next request after a
// partial one.
func TestCoalesceHeldAnswerTimesOut(t *testing.T) {
	body := bytes.Repeat([]byte("h"), 65000)
	var answered atomic.Int64
	ts := coalescing(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answered.Add(1)
		w.Write(body)
	}), func(hs *http.Server, cl *countingListener) {
		hs.WriteTimeout = 300 * time.Millisecond
		cl.sndbuf = 4096
	})
	// a small receive buffer before connecting, so that the window stays small
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", ts.addr)
	require.NoError(t, err)
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(time.Second) // past the write timeout, reading nothing
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(conn)
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the server kept the connection open after a failed write")
	assert.Less(t, len(got), len(body), "the whole answer left despite the timeout: the test's buffers are too big")
	assert.Equal(t, 1, bytes.Count(got, []byte("HTTP/1.1 200")))
	assert.Equal(t, int64(1), answered.Load(), "the second request was served on a broken stream")
}

// Closing the server unblocks a handler whose write waits for a client that
// does not read (no write timeout), as with a plain connection.
func TestCoalesceCloseUnblocksWrite(t *testing.T) {
	wrote := make(chan error, 1)
	big := bytes.Repeat([]byte("c"), 32<<20)
	ts := coalescing(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := w.Write(big)
		wrote <- err
	}), func(hs *http.Server, _ *countingListener) { hs.WriteTimeout = 0 })
	conn, err := net.Dial("tcp", ts.addr)
	require.NoError(t, err)
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(300 * time.Millisecond) // the handler is blocked in its write
	require.NoError(t, ts.hs.Close())
	select {
	case err := <-wrote:
		assert.Error(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not unblock the handler's write")
	}
}

// net/http's own answers to a request it cannot parse are written straight
// to the connection before it closes: they still arrive.
func TestCoalesceMalformedRequest(t *testing.T) {
	h, _ := bodyHandler(t)
	ts := coalescing(t, h)
	for _, req := range []string{"GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"} {
		conn, err := net.Dial("tcp", ts.addr)
		require.NoError(t, err)
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(conn, req)
		got, err := io.ReadAll(conn)
		conn.Close()
		require.NoError(t, err)
		assert.Regexp(t, `^HTTP/1.1 (400|501) `, string(got), "%q", req)
	}
}
