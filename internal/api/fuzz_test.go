package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/secretsctl/secretsctl/internal/api"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// exampleServer is the API over a copy of the example store, logging nowhere.
func exampleServer(f *testing.F) *api.Server {
	st, err := store.Open(storetest.NewExample(f), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	return api.New(api.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// FuzzRequest sends arbitrary methods, paths, queries and bodies through the
// whole router over a real store: the answer is never a 5xx and an error is
// always JSON {"error","code"}.
func FuzzRequest(f *testing.F) {
	srv := exampleServer(f)
	f.Add("GET", "/deployment/secrets", "scenario=picker-wheel&tier=desktop", "")
	f.Add("GET", "/api/v1/deployment/secrets/picker-wheel", "tier=2&include_optional=false", "")
	f.Add("POST", "/api/v1/deployment/secrets", "", `{"scenario":"picker-wheel","tier":"desktop","resources":["postgres"]}`)
	f.Add("POST", "/api/v1/deployment/readiness", "rev=HEAD", `{"scenario":"agent-inbox","tier":"saas"}`)
	f.Add("GET", "/api/v1/plans/../desktop", "rev=HEAD~1", "")
	f.Add("GET", "/api/v1/coverage", "scenario=%ff&tier=moon", "")
	f.Add("GET", "/api/v1/plan-diff", "base=HEAD&head=main", "")
	f.Add("DELETE", "/api/v1/scenarios/picker-wheel", "", "")
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://127.0.0.1"+path+"?"+query, strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", method, path, query, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 {
			var e api.Error
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Error == "" {
				t.Fatalf("%s %s?%s: %d with a body that is not a JSON error: %q", method, path, query, rec.Code, rec.Body.String())
			}
		}
	})
}

// FuzzTransport writes arbitrary bytes to the server `secretsctl serve`
// runs, on 127.0.0.1, over a real store: whatever arrives, the first
// answer is a well-formed HTTP response, and either net/http's own
// refusal of a malformed request (see [refusedByNetHTTP]) or the API's:
// never a 5xx, and an error is JSON {"error","code"}.
func FuzzTransport(f *testing.F) {
	srv := exampleServer(f)
	addr := strings.TrimPrefix(serveHTTP(f, srv.HTTPServer(srv)), "http://")
	for _, seed := range []string{
		"GET /deployment/secrets?scenario=picker-wheel&tier=desktop HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /api/v1/deployment/readiness HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n{\"scenario\":\"picker-wheel\",\"tier\":\"2\"}",
		"POST /api/v1/deployment/secrets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"sce\r\n0\r\n\r\n",
		"POST /api/v1/deployment/secrets HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
		"HEAD /api/v1/tiers HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/scenarios HTTP/1.0\r\n\r\n",
		"GET http://x/api/v1/tiers HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/scenarios/\xff\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET /" + strings.Repeat("a", api.MaxRequestHead) + " HTTP/1.1\r\n\r\n",
		"\r\n\r\n",
		"DELETE /api/v1/scenarios/picker-wheel HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n",
		"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent Length: 45\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(in); err != nil {
			return // the server refused and closed while we wrote: fine
		}
		_ = c.(*net.TCPConn).CloseWrite()
		out, err := io.ReadAll(c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("no answer and no close within 10 s to %q", truncate(in))
		}
		if len(out) == 0 {
			return // nothing a server could answer (empty input, a bare CRLF)
		}
		var req *http.Request
		if bytes.HasPrefix(in, []byte("HEAD ")) {
			req = &http.Request{Method: http.MethodHead}
		}
		br := bufio.NewReader(bytes.NewReader(out))
		r, err := http.ReadResponse(br, req)
		for err == nil && r.StatusCode < 200 {
			r, err = http.ReadResponse(br, req) // past "100 Continue"
		}
		if err != nil {
			t.Fatalf("%q: the answer is not HTTP (%v): %q", truncate(in), err, truncate(out))
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatalf("%q: the answer's body is cut: %v", truncate(in), err)
		}
		if refusedByNetHTTP(r, body) {
			return
		}
		if r.StatusCode >= 500 {
			t.Fatalf("%q: %d %s", truncate(in), r.StatusCode, body)
		}
		if r.StatusCode >= 400 && req == nil {
			var e api.Error
			if err := json.Unmarshal(body, &e); err != nil || e.Code == "" || e.Error == "" {
				t.Fatalf("%q: %d with a body that is not a JSON error: %q", truncate(in), r.StatusCode, body)
			}
		}
	})
}

// refusedByNetHTTP reports whether r is net/http's own answer to a request
// it could not read: plain text naming the status, a 4xx or 501/505, and
// the connection closed.
func refusedByNetHTTP(r *http.Response, body []byte) bool {
	if r.StatusCode == http.StatusExpectationFailed && len(body) == 0 && r.Close {
		return true // net/http's answer to an Expect other than 100-continue
	}
	if r.Header.Get("Content-Type") != "text/plain; charset=utf-8" || !r.Close {
		return false
	}
	if r.StatusCode >= 500 && r.StatusCode != http.StatusNotImplemented && r.StatusCode != http.StatusHTTPVersionNotSupported {
		return false
	}
	return r.StatusCode >= 400 && (bytes.HasPrefix(body, []byte(strconv.Itoa(r.StatusCode)+" ")) || r.StatusCode == http.StatusNotImplemented)
}
