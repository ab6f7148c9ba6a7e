package api_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
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
	"github.com/secretsctl/secretsctl/internal/storetest"
)

// serveHTTP serves hs on 127.0.0.1 until the test ends, and returns its URL.
func serveHTTP(t testing.TB, hs *api.HTTPServer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, hs.Shutdown(ctx))
		assert.NoError(t, <-done, "Serve returns nil after Shutdown")
	})
	return "http://" + ln.Addr().String()
}

// transport serves h on the API's transport, with an API server (no store)
// for its log and metrics; it returns the URL and the log.
func transport(t *testing.T, h http.Handler) (string, *storetest.SyncBuffer) {
	t.Helper()
	log := &storetest.SyncBuffer{}
	srv := api.New(api.Options{Logger: slog.New(slog.NewJSONHandler(log, nil))})
	return serveHTTP(t, srv.HTTPServer(h)), log
}

// rawExchange writes req on a new connection, half-closes it, and returns
// everything the server sent until it closed the connection.
func rawExchange(t *testing.T, url, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err = io.WriteString(c, req)
	require.NoError(t, err)
	require.NoError(t, c.(*net.TCPConn).CloseWrite())
	out, err := io.ReadAll(c)
	require.NoError(t, err)
	return string(out)
}

// readResponses reads n answers from out, in order.
func readResponses(t *testing.T, out string, n int) []*http.Response {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(out))
	var rs []*http.Response
	for range n {
		r, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "answer %d of %d in %q", len(rs)+1, n, out)
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rs = append(rs, r)
	}
	return rs
}

func jsonError(t *testing.T, r *http.Response) api.Error {
	t.Helper()
	assert.Equal(t, "application/json; charset=utf-8", r.Header.Get("Content-Type"))
	var e api.Error
	require.NoError(t, json.NewDecoder(r.Body).Decode(&e))
	assert.NotEmpty(t, e.Error)
	return e
}

// test that a handler sees the request net/http would give it.
func TestTransportRequest(t *testing.T) {
	type seen struct {
		Method, Path, RawPath, RawQuery, RequestURI, Host, Proto, RemoteAddr string
		Header                                                               http.Header
		ContentLength                                                        int64
		Body                                                                 string
		Close                                                                bool
	}
	got := make(chan seen, 1)
	url, _ := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		assert.NoError(t, err)
		got <- seen{r.Method, r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.RequestURI, r.Host, r.Proto, r.RemoteAddr,
			r.Header, r.ContentLength, string(b), r.Close}
	}))

	out := rawExchange(t, url, "POST /api/v1/deployment/secrets/a%2Fb?tier=%ff&x=1 HTTP/1.1\r\n"+
		"Host: example.test\r\ncontent-type: application/json\r\nx-two: 1\r\nX-Two: 2\r\n"+
		"Content-Length: 5\r\nConnection: close\r\n\r\nhello")
	s := <-got
	assert.Equal(t, "POST", s.Method)
	assert.Equal(t, "/api/v1/deployment/secrets/a/b", s.Path)
	assert.Equal(t, "/api/v1/deployment/secrets/a%2Fb", s.RawPath)
	assert.Equal(t, "tier=%ff&x=1", s.RawQuery)
	assert.Equal(t, "/api/v1/deployment/secrets/a%2Fb?tier=%ff&x=1", s.RequestURI)
	assert.Equal(t, "example.test", s.Host)
	assert.Equal(t, "HTTP/1.1", s.Proto)
	assert.True(t, strings.HasPrefix(s.RemoteAddr, "127.0.0.1:"), s.RemoteAddr)
	assert.Equal(t, []string{"application/json"}, s.Header["Content-Type"], "canonical names")
	assert.Equal(t, []string{"1", "2"}, s.Header["X-Two"])
	assert.NotContains(t, s.Header, "Host", "Host is Request.Host, as under net/http")
	assert.Equal(t, int64(5), s.ContentLength)
	assert.Equal(t, "hello", s.Body)
	assert.True(t, s.Close)
	rs := readResponses(t, out, 1)
	assert.Equal(t, http.StatusOK, rs[0].StatusCode)

	// a chunked body arrives whole, with its length
	rawExchange(t, url, "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"+
		"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
	s = <-got
	assert.Equal(t, "abcde", s.Body)
	assert.Equal(t, int64(5), s.ContentLength)
	assert.NotContains(t, s.Header, "Transfer-Encoding")

	// HTTP/1.0: answered, then the server closes the connection (the
	// client does not half-close it here)
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(c, "GET /old HTTP/1.0\r\n\r\n")
	require.NoError(t, err)
	raw, err := io.ReadAll(c)
	require.NoError(t, err, "the server closes an HTTP/1.0 connection after the answer")
	s = <-got
	assert.Equal(t, "HTTP/1.0", s.Proto)
	assert.Empty(t, s.Body)
	assert.Zero(t, s.ContentLength)
	assert.True(t, strings.HasPrefix(string(raw), "HTTP/1.0 200 OK\r\n"), "%q", raw)
}

// test that what a handler writes is the answer net/http would send.
func TestTransportResponse(t *testing.T) {
	url, _ := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/text": // no Content-Type: sniffed
			_, _ = io.WriteString(w, "plain words")
		case "/html":
			_, _ = w.Write([]byte("<!DOCTYPE html><p>x"))
		case "/untyped": // Content-Type present but nil: no sniffing (as net/http)
			w.Header()["Content-Type"] = nil
			_, _ = io.WriteString(w, "<html>")
		case "/nothing": // no status, no body: 200, empty
		case "/teapot":
			w.Header().Set("X-Note", "one\r\nInjected: yes")
			w.WriteHeader(http.StatusTeapot)
			w.WriteHeader(http.StatusOK) // ignored, as under net/http
			w.Header().Set("X-Late", "not sent")
			_, _ = w.Write([]byte("short and stout"))
		case "/304":
			w.Header().Set("ETag", `"e"`)
			w.WriteHeader(http.StatusNotModified)
		case "/flush":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"a":`))
			http.NewResponseController(w).Flush() //nolint:errcheck // a commit, no error to see
			_, _ = w.Write([]byte(`1}`))
		}
	}))
	get := func(method, path string) (*http.Response, string) {
		req, err := http.NewRequest(method, url+path, nil)
		require.NoError(t, err)
		r, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		return r, string(b)
	}
	r, body := get("GET", "/text")
	assert.Equal(t, "text/plain; charset=utf-8", r.Header.Get("Content-Type"))
	assert.Equal(t, "plain words", body)
	assert.NotEmpty(t, r.Header.Get("Date"))
	assert.Empty(t, r.Header.Get("Server"))
	r, _ = get("GET", "/html")
	assert.Equal(t, "text/html; charset=utf-8", r.Header.Get("Content-Type"))
	r, body = get("GET", "/nothing")
	assert.Equal(t, http.StatusOK, r.StatusCode)
	assert.Empty(t, body)
	assert.Empty(t, r.Header.Get("Content-Type"))
	r, body = get("GET", "/teapot")
	assert.Equal(t, http.StatusTeapot, r.StatusCode)
	assert.Equal(t, "short and stout", body)
	assert.Equal(t, "one  Injected: yes", r.Header.Get("X-Note"), "CR and LF in a value become spaces")
	assert.Empty(t, r.Header.Get("Injected"))
	assert.Empty(t, r.Header.Get("X-Late"))
	r, body = get("GET", "/304")
	assert.Equal(t, http.StatusNotModified, r.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, `"e"`, r.Header.Get("ETag"))
	r, body = get("GET", "/flush")
	assert.Equal(t, `{"a":1}`, body)
	assert.Equal(t, []string{"chunked"}, r.TransferEncoding, "a flushed answer is sent as it is written")
	r, body = get("HEAD", "/text")
	assert.Empty(t, body)
	assert.Equal(t, "11", r.Header.Get("Content-Length"), "HEAD: the length of the body it would get")
	r, body = get("GET", "/untyped")
	assert.Equal(t, "<html>", body)
	assert.NotContains(t, r.Header, "Content-Type")

	// on the wire: no body after the header of a HEAD or 304 answer, so
	// the next answer on the connection starts right after it
	out := rawExchange(t, url, "HEAD /text HTTP/1.1\r\nHost: h\r\n\r\nGET /304 HTTP/1.1\r\nHost: h\r\n\r\nGET /text HTTP/1.1\r\nHost: h\r\n\r\n")
	answers := strings.Split(out, "HTTP/1.1 ")
	require.Len(t, answers, 4, "%q", out)
	assert.True(t, strings.HasSuffix(answers[1], "\r\n\r\n"), "HEAD: header only: %q", answers[1])
	assert.True(t, strings.HasPrefix(answers[2], "304 "), answers[2])
	assert.True(t, strings.HasSuffix(answers[2], "\r\n\r\n"), "304: header only: %q", answers[2])
	assert.True(t, strings.HasSuffix(answers[3], "\r\n\r\nplain words"), answers[3])
}

// test that requests the transport refuses before the handler get the
// API's JSON error, a log line and a metric, and that nothing of the request
// reaches the answer or the log.
func TestTransportRefusals(t *testing.T) {
	const canary = "CANARY-b7e1c0d2-token"
	url, log := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	cases := []struct {
		name, req, code string
		status          int
	}{
		{"head over the limit", "GET /?q=" + strings.Repeat("a", api.MaxRequestHead) + " HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + canary + "\r\n\r\n",
			"headers_too_large", http.StatusRequestHeaderFieldsTooLarge},
		{"one header over the limit", "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + canary + "\r\nX-Big: " + strings.Repeat("b", api.MaxRequestHead) + "\r\n\r\n",
			"headers_too_large", http.StatusRequestHeaderFieldsTooLarge},
		{"declared body over the limit", fmt.Sprintf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", api.MaxBodyBytes+1),
			"body_too_large", http.StatusRequestEntityTooLarge},
		{"chunked body over the limit", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", api.MaxBodyBytes+1, strings.Repeat("c", api.MaxBodyBytes+1)),
			"body_too_large", http.StatusRequestEntityTooLarge},
		{"bad chunk framing", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + canary + "\r\n0\r\n\r\n",
			"bad_request", http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := rawExchange(t, url, tc.req)
			rs := readResponses(t, out, 1)
			assert.Equal(t, tc.status, rs[0].StatusCode)
			assert.Equal(t, tc.code, jsonError(t, rs[0]).Code)
			assert.True(t, rs[0].Close, "the connection is not reused after a refusal: %q", out)
			assert.Equal(t, 1, strings.Count(out, "HTTP/1.1 "), "nothing after the refused request is answered: %q", out)
			assert.NotContains(t, out, canary)
			assert.Contains(t, log.String(), `"error_code":"`+tc.code+`"`)
		})
	}
	assert.NotContains(t, log.String(), canary)
	assert.Contains(t, log.String(), `"method":"POST","route":"unmatched","status":413`)
	for line := range strings.Lines(log.String()) {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
	}
}

// test that what net/http refuses itself gets its status (a request both
// chunked and with a length is answered), the connection closes, nothing sent after it is answered, and nothing of the request is
// echoed or logged.
func TestTransportProtocolRefusals(t *testing.T) {
	const canary = "CANARY-5c0e9a77-token"
	url, log := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	next := "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"
	cases := []struct {
		name, req string
		status    int
	}{
		{"field name with a space", "POST / HTTP/1.1\r\nHost: h\r\nContent Length: 45\r\n\r\n" + next, http.StatusBadRequest},
		{"HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: h\r\n\r\n" + next, http.StatusHTTPVersionNotSupported},
		{"HTTP/9.9 request line", "GET / HTTP/9.9\r\nHost: h\r\n\r\n" + next, http.StatusHTTPVersionNotSupported},
		{"head over net/http's limit", "GET /?q=" + strings.Repeat("a", api.MaxWireHead+8192) + " HTTP/1.1\r\nHost: h\r\n\r\n", http.StatusRequestHeaderFieldsTooLarge},
		{"not HTTP", "hello " + canary + "\r\n\r\n", http.StatusBadRequest},
		{"bad header line", "GET / HTTP/1.1\r\nHost: h\r\nno colon " + canary + "\r\n\r\n", http.StatusBadRequest},
		{"bad absolute target", "GET http://[::1 HTTP/1.1\r\nHost: h\r\n\r\n", http.StatusBadRequest},
		{"bad escape in the target", "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n" + next, http.StatusBadRequest},
		{"Transfer-Encoding identity", "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n" + next, http.StatusNotImplemented},
		// read as chunked, answered, and the connection closed after it
		{"Content-Length and chunked", "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + next, http.StatusOK},
		{"two Content-Lengths", "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab" + next, http.StatusBadRequest},
		{"unknown expectation", "GET / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n" + next, http.StatusExpectationFailed},
		{"bad content length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n" + next, http.StatusBadRequest},
		{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n" + next, http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := rawExchange(t, url, tc.req)
			rs := readResponses(t, out, 1)
			assert.Equal(t, tc.status, rs[0].StatusCode, "%q", out)
			assert.True(t, rs[0].Close, "the connection closes after a refusal: %q", out)
			assert.Equal(t, 1, strings.Count(out, "HTTP/1.1 "), "nothing after the refused request is answered: %q", out)
			assert.NotContains(t, out, canary)
		})
	}
	assert.NotContains(t, log.String(), canary)
	assert.NotContains(t, log.String(), "smuggled")
}

// test that pipelined requests are answered in order on one connection.
func TestTransportPipelined(t *testing.T) {
	url, _ := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.URL.Path)
	}))
	var req strings.Builder
	for i := range 20 {
		fmt.Fprintf(&req, "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i)
	}
	rs := readResponses(t, rawExchange(t, url, req.String()), 20)
	for i, r := range rs {
		b, _ := io.ReadAll(r.Body)
		assert.Equal(t, "/"+strconv.Itoa(i), string(b))
	}
}

// test that "Expect: 100-continue" gets its "100 Continue" at once, and a
// body over the limit gets 413 before it is sent.
func TestTransportExpectContinue(t *testing.T) {
	url, _ := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, strconv.Itoa(len(b)))
	}))
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 10 * time.Second}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequest("POST", url+"/", strings.NewReader(strings.Repeat("a", 5000)))
	require.NoError(t, err)
	req.Header.Set("Expect", "100-continue")
	start := time.Now()
	r, err := client.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	assert.Equal(t, "5000", string(b))
	assert.Less(t, time.Since(start), 5*time.Second, "the client did not wait out its ExpectContinueTimeout")

	// a declared body over the limit: 413 at once, no "100 Continue", so
	// the client never sends it
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", 100<<20)
	require.NoError(t, err)
	r, err = http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	defer r.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.StatusCode)
	assert.Equal(t, "body_too_large", jsonError(t, r).Code)
	assert.True(t, r.Close)
}

// test that many clients on kept-alive connections get their own large
// answers, byte for byte.
func TestTransportConcurrentClients(t *testing.T) {
	data := make([]byte, 1<<20)
	_, err := rand.Read(data)
	require.NoError(t, err)
	url, _ := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil || n > len(data) {
			http.Error(w, "bad size", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(n))
		_, _ = w.Write(data[:n])
	}))
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 25 {
				n := []int{0, 1, 4095, 4096, 14557, 65536, 200000, 1 << 20}[(g+i)%8]
				r, err := http.Get(fmt.Sprintf("%s/%d", url, n))
				if !assert.NoError(t, err) {
					return
				}
				b, err := io.ReadAll(r.Body)
				r.Body.Close()
				assert.NoError(t, err)
				assert.True(t, bytes.Equal(data[:n], b), "answer of %d bytes differs", n)
			}
		})
	}
	wg.Wait()
}

// test that a panic outside the API's middleware is a 500 JSON answer and
// the server goes on.
func TestTransportPanic(t *testing.T) {
	url, log := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/boom":
			panic("CANARY-panic-value")
		case "/boom-late": // after part of an answer: the connection is cut
			_, _ = io.WriteString(w, "partial")
			panic("CANARY-panic-value")
		}
		_, _ = io.WriteString(w, "fine")
	}))
	r, err := http.Get(url + "/boom")
	require.NoError(t, err)
	assert.Equal(t, http.StatusInternalServerError, r.StatusCode)
	assert.Equal(t, "internal", jsonError(t, r).Code)
	r.Body.Close()
	out := rawExchange(t, url, "GET /boom-late HTTP/1.1\r\nHost: h\r\n\r\n")
	assert.Empty(t, out, "after part of an answer the connection is cut: nothing that looks complete is sent")
	r, err = http.Get(url + "/after")
	require.NoError(t, err)
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	assert.Equal(t, "fine", string(b))
	assert.Contains(t, log.String(), "panic in handler")
	assert.NotContains(t, log.String(), "CANARY-panic-value")
}

// test that Shutdown lets a request in progress finish, refuses new
// connections, and makes Serve return nil.
func TestTransportGracefulShutdown(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	srv := api.New(api.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	hs := srv.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "finished")
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	url := "http://" + ln.Addr().String()

	type result struct {
		body string
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		r, err := http.Get(url + "/slow")
		if err != nil {
			answered <- result{err: err}
			return
		}
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		answered <- result{string(b), err}
	}()
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- hs.Shutdown(context.Background()) }()
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, 5*time.Second, 10*time.Millisecond, "the listener closes")
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) before the request in progress was answered", err)
	default:
	}
	close(release)
	res := <-answered
	require.NoError(t, res.err)
	assert.Equal(t, "finished", res.body)
	assert.NoError(t, <-shut)
	assert.NoError(t, <-served)
}

// test that Shutdown before Serve (a SIGTERM while the store opens) makes
// Serve return at once, and that Serve and Shutdown racing always end.
func TestTransportShutdownBeforeServe(t *testing.T) {
	srv := api.New(api.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	hs := srv.HTTPServer(h)
	require.NoError(t, hs.Shutdown(context.Background()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve after Shutdown did not return")
	}
	_, err = net.Dial("tcp", ln.Addr().String())
	assert.Error(t, err, "the listener is closed")

	for range 50 {
		hs := srv.HTTPServer(h)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		served := make(chan error, 1)
		go func() { served <- hs.Serve(ln) }()
		require.NoError(t, hs.Shutdown(context.Background()))
		select {
		case err := <-served:
			assert.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return after a Shutdown that raced it")
		}
	}
}

// flakyListener fails its first Accepts with EMFILE, as a process out of
// file descriptors does.
type flakyListener struct {
	net.Listener
	failures atomic.Int32
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.failures.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// test that running out of file descriptors pauses accepting instead of
// ending Serve.
func TestTransportAcceptRetries(t *testing.T) {
	log := &storetest.SyncBuffer{}
	srv := api.New(api.Options{Logger: slog.New(slog.NewJSONHandler(log, nil))})
	hs := srv.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	fl := &flakyListener{Listener: ln}
	fl.failures.Store(4)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(fl) }()
	r, err := http.Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	assert.Equal(t, "ok", string(b))
	assert.Equal(t, 4, strings.Count(log.String(), `"level":"WARN","msg":"http: Accept error: accept tcp: accept4: too many open files; retrying in`), log.String())
	http.DefaultClient.CloseIdleConnections()
	require.NoError(t, hs.Shutdown(context.Background()))
	assert.NoError(t, <-served)
}

// test that a handler's Request.Context ends when the client goes away, so
// work for a client that left can stop.
func TestTransportContextCancelled(t *testing.T) {
	cancelled := make(chan error, 1)
	url, _ := transport(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			cancelled <- r.Context().Err()
		case <-time.After(10 * time.Second):
			cancelled <- nil
		}
	}))
	for _, req := range []string{
		"GET /wait HTTP/1.1\r\nHost: h\r\n\r\n",
		"POST /wait HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}",
	} {
		c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
		require.NoError(t, err)
		_, err = io.WriteString(c, req)
		require.NoError(t, err)
		time.Sleep(100 * time.Millisecond) // the handler is waiting
		require.NoError(t, c.Close())
		assert.ErrorIs(t, <-cancelled, context.Canceled, "%q", req)
	}
}
