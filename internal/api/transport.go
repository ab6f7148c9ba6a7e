package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/secretsctl/secretsctl/internal/plan"
)

// Transport limits and timeouts of [HTTPServer].
const (
	// MaxRequestHead bounds the request line and headers together. A
	// request whose head is larger gets the API's JSON 431 before any
	// handler runs. Within it, the API applies its own limits
	// ([MaxURLBytes], [MaxHeaderBytes]) with their own answers.
	MaxRequestHead = 64 << 10

	// MaxWireHead is net/http's MaxHeaderBytes: a head it reads past this
	// (plus net/http's 4 KiB of slack) is refused by net/http itself,
	// with a plain-text 431, and the connection closes.
	MaxWireHead = 1 << 20

	ReadHeaderTimeout = 5 * time.Second   // the request line and headers, from the first byte
	ReadTimeout       = 10 * time.Second  // a whole request: head and at most [MaxBodyBytes] of body
	WriteTimeout      = 30 * time.Second  // a whole answer, from the end of the request's head
	IdleTimeout       = 120 * time.Second // between requests on a kept-alive connection
)

// HTTPServer is the HTTP/1.1 server `secretsctl serve` runs: a net/http
// [http.Server] with explicit timeouts and limits, in front of the API's
// handler (an http.Handler, Gin).
//
// Before the handler runs, a request whose head is over [MaxRequestHead]
// gets 431 and a body over [MaxBodyBytes] gets 413 (at once, without
// "100 Continue", when its length is declared), as the API's JSON error
// with a request log line and a metric; the connection then closes. A body
// within the limit is read whole before the handler runs, so the handler
// sees its length, chunked or not. A panic in a handler around the API's
// own middleware is a JSON 500 when nothing was written yet; otherwise the
// connection is cut, so a partial answer never looks complete. The panic
// value is never logged.
//
// What net/http refuses itself — a malformed request line or header (a
// field name with a space in it among them), an HTTP version other than
// 1.x (505), a Transfer-Encoding other than chunked (501), an expectation
// other than 100-continue (417), a head over [MaxWireHead] (431) — gets
// net/http's plain-text answer and the connection closes; such a request
// reaches no handler, the request log or the metrics. net/http's own error
// log lines (failed accepts) go to the API's logger at level WARN; they
// never quote request bytes.
type HTTPServer struct {
	hs *http.Server
}

// HTTPServer returns the server that serves h (s, or a handler that wraps
// it) with s's request log and metrics for the answers it gives itself.
func (s *Server) HTTPServer(h http.Handler) *HTTPServer {
	return &HTTPServer{hs: &http.Server{
		Handler:           &guard{h: h, api: s},
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxWireHead,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}}
}

// Serve accepts connections on ln until [HTTPServer.Shutdown], even one
// called before Serve; it then returns nil. Accept errors that pass (too
// many open files) are retried after a pause, as net/http does.
func (t *HTTPServer) Serve(ln net.Listener) error {
	if err := t.hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting, closes idle connections, and waits for the
// requests in progress to be answered, or for ctx to end.
func (t *HTTPServer) Shutdown(ctx context.Context) error { return t.hs.Shutdown(ctx) }

// guard applies the transport's limits before the handler, and turns a
// panic into a 500 or a cut connection.
type guard struct {
	h   http.Handler
	api *Server
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if he := admit(w, r); he != nil {
		w.Header().Set("Connection", "close")
		g.reject(w, r, he)
		return
	}
	tw := &tracked{ResponseWriter: w}
	defer g.recover(tw, r)
	g.h.ServeHTTP(tw, r)
}

// admit checks r's head size and reads its body whole, within the limits.
func admit(w http.ResponseWriter, r *http.Request) *httpError {
	if headSize(r) > MaxRequestHead {
		return errf(http.StatusRequestHeaderFieldsTooLarge, "headers_too_large", "the request line and headers are larger than %d bytes", MaxRequestHead)
	}
	if r.ContentLength > MaxBodyBytes {
		return errf(http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than %d bytes", MaxBodyBytes)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if len(r.TransferEncoding) > 0 {
		// net/http drops a Content-Length sent with it: a proxy in front
		// may have framed the body by that length, so this connection
		// carries nothing more (RFC 9112 §6.3).
		w.Header().Set("Connection", "close")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &tooBig):
		return errf(http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than %d bytes", MaxBodyBytes)
	case errors.As(err, &ne) && ne.Timeout():
		return errf(http.StatusRequestTimeout, "request_timeout", "the request did not arrive within %s", ReadTimeout)
	case err != nil:
		return errf(http.StatusBadRequest, "bad_request", "malformed request: the body could not be read")
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return nil
}

// headSize is the size of r's request line and headers, about as sent.
func headSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + len(r.Host) + 12
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// recover answers a panic of the handler: a 500 if nothing was written,
// else a cut connection.
func (g *guard) recover(tw *tracked, r *http.Request) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler { //nolint:errorlint // net/http compares it so
		panic(p)
	}
	// The API's own middleware answers its panics; this is for one in a
	// handler around it. The value is not logged: it could hold anything
	// the handler held.
	g.api.log.Error("panic in handler", "path", truncate(r.URL.Path, 256))
	if tw.wrote {
		panic(http.ErrAbortHandler) // net/http closes the connection, silently
	}
	g.reject(tw.ResponseWriter, r, errf(http.StatusInternalServerError, "internal", "internal error (a bug): please report it"))
}

// reject answers he as JSON, and logs and counts it as the API does its
// answers.
func (g *guard) reject(w http.ResponseWriter, r *http.Request, he *httpError) {
	body, _ := plan.Encode(he.body)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(he.status)
	_, _ = w.Write(body)
	m := r.Method
	if !commonMethod(m) {
		m = "" // any token a client sent: not a label or a log value
	}
	g.api.metrics.observe("unmatched", m, he.status, 0)
	var buf [6]slog.Attr
	g.api.logRequest(r.Context(), append(buf[:0],
		slog.String("method", m),
		slog.String("route", "unmatched"),
		slog.Int("status", he.status),
		slog.Int("bytes", len(body)),
		slog.String("remote", remoteIP(r.RemoteAddr)),
		slog.String("error_code", he.body.Code),
	))
}

func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// tracked is a ResponseWriter that remembers whether an answer began.
type tracked struct {
	http.ResponseWriter
	wrote bool
}

func (t *tracked) WriteHeader(code int) {
	t.wrote = t.wrote || code >= 200
	t.ResponseWriter.WriteHeader(code)
}

func (t *tracked) Write(p []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(p)
}

func (t *tracked) WriteString(s string) (int, error) {
	t.wrote = true
	return io.WriteString(t.ResponseWriter, s)
}

// Flush sends what was written so far.
func (t *tracked) Flush() {
	t.wrote = true
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives [http.ResponseController] the writer underneath.
func (t *tracked) Unwrap() http.ResponseWriter { return t.ResponseWriter }
