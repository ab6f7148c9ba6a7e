package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/secretsctl/secretsctl/internal/plan"
)

// Transport limits and timeouts of [HTTPServer].
const (
	// MaxRequestHead bounds the request line and headers together: they
	// are read into one buffer of this size per connection. A request
	// whose head does not fit gets 431. Within it, the API applies its own
	// limits ([MaxURLBytes], [MaxHeaderBytes]) with their own answers.
	MaxRequestHead = 64 << 10

	ReadTimeout  = 5 * time.Second   // a whole request (at most 64 KiB of head and 64 KiB of body), from its first byte
	WriteTimeout = 30 * time.Second  // a whole answer
	IdleTimeout  = 120 * time.Second // between requests on a kept-alive connection
)

// HTTPServer is the HTTP/1.1 server `secretsctl serve` runs: fasthttp's
// connection handling, with the API's handler (an http.Handler, Gin)
// called in line for each request.
//
// net/http spends most of a cached answer's time on itself: for every
// request it starts a goroutine that waits on the connection, sets and
// clears deadlines to stop it, and clones headers. fasthttp serves a
// connection from one goroutine with pooled buffers and sends an answer in
// one write (writev for a large body). The handler sees an *http.Request
// and an http.ResponseWriter as under net/http, with these differences:
//
//   - the answer is buffered whole and sent when the handler returns:
//     Flush only commits the status and header; Hijack is not supported;
//   - the request body is read before the handler runs (at most
//     [MaxBodyBytes]: a larger one gets 413);
//   - Request.Context is never cancelled (not when the client goes
//     away either): a handler runs to its end;
//   - the Date header is the server's; a Trailer is not sent.
//
// Requests the transport refuses before any handler (malformed, a head
// over [MaxRequestHead], a body over [MaxBodyBytes] — at once when it is
// declared with "Expect: 100-continue" —, a Transfer-Encoding other than
// chunked, an expectation other than 100-continue, too slow) get the
// API's JSON error, a request log line and a metric, as any other, and
// the connection closes.
type HTTPServer struct {
	fs  *fasthttp.Server
	h   http.Handler
	api *Server

	mu   sync.Mutex
	ln   *listener // the one being served
	shut bool      // Shutdown was called
}

// HTTPServer returns the server that serves h (s, or a handler that wraps
// it) with s's request log and metrics for the answers the transport gives
// itself.
func (s *Server) HTTPServer(h http.Handler) *HTTPServer {
	t := &HTTPServer{h: h, api: s}
	t.fs = &fasthttp.Server{
		Handler:                      t.serve,
		ErrorHandler:                 t.refuse,
		ExpectHandler:                t.expect,
		Logger:                       transportLogger{},
		ReadBufferSize:               MaxRequestHead,
		MaxRequestBodySize:           MaxBodyBytes,
		ReadTimeout:                  ReadTimeout,
		WriteTimeout:                 WriteTimeout,
		IdleTimeout:                  IdleTimeout,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true, // sniffed as net/http does (see finish)
		DisablePreParseMultipartForm: true,
		SecureErrorLogMessage:        true, // no request bytes in its own error messages
		CloseOnShutdown:              true,
		ReduceMemoryUsage:            true, // an idle connection holds no buffer (measured: no cost per request)
	}
	return t
}

// Serve accepts connections on ln until [HTTPServer.Shutdown], even one
// called before Serve; it then returns nil. Accept errors that pass (too
// many open files, a connection aborted before it was accepted) are
// retried after a pause, as net/http does, instead of ending Serve.
func (t *HTTPServer) Serve(ln net.Listener) error {
	l := &listener{Listener: ln, log: t.api.log}
	t.mu.Lock()
	if t.shut {
		t.mu.Unlock()
		return ln.Close()
	}
	t.ln = l
	t.mu.Unlock()
	return t.fs.Serve(l)
}

// Shutdown stops accepting, closes idle connections, and waits for the
// requests in progress to be answered, or for ctx to end.
func (t *HTTPServer) Shutdown(ctx context.Context) error {
	t.mu.Lock()
	t.shut = true
	l := t.ln
	t.mu.Unlock()
	if l != nil {
		// fasthttp closes the listeners it has registered; Serve may not
		// have registered this one yet, and must still see it closed.
		_ = l.Close()
	}
	return t.fs.ShutdownWithContext(ctx)
}

// listener retries temporary accept errors and closes once.
type listener struct {
	net.Listener
	log  *slog.Logger
	once sync.Once
	err  error
}

func (l *listener) Accept() (net.Conn, error) {
	var pause time.Duration
	for {
		c, err := l.Listener.Accept()
		var te interface{ Temporary() bool }
		if err == nil || !errors.As(err, &te) || !te.Temporary() {
			return c, err
		}
		pause = min(max(2*pause, 5*time.Millisecond), time.Second)
		l.log.Warn("accepting a connection failed; retrying", "error", err.Error(), "retry_in", pause)
		time.Sleep(pause)
	}
}

func (l *listener) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}

// exchange is one request's net/http view: the request, and the
// ResponseWriter that fills fasthttp's response. Pooled: a cached answer
// allocates little beyond the request's strings.
type exchange struct {
	ctx     *fasthttp.RequestCtx
	req     http.Request
	body    bytes.Reader
	header  http.Header // the handler's response header
	status  int         // 0 until committed
	sniff   bool        // no Content-Type at the commit: sniff one from the body
	written bool        // a body byte was written
}

var exchanges = sync.Pool{New: func() any {
	return &exchange{header: make(http.Header, 8)}
}}

func (t *HTTPServer) serve(ctx *fasthttp.RequestCtx) {
	x := exchanges.Get().(*exchange)
	defer func() {
		clear(x.header)
		*x = exchange{header: x.header}
		exchanges.Put(x)
	}()
	x.ctx = ctx
	if he := x.request(ctx); he != nil {
		t.reject(ctx, he, method(ctx.Method()))
		ctx.SetConnectionClose()
		return
	}
	defer func() {
		if p := recover(); p != nil {
			// The API's own middleware answers its panics; this is for
			// one in a handler around it. The value is not logged: it
			// could hold anything the handler held.
			t.api.log.Error("panic in handler", "path", truncate(x.req.URL.Path, 256))
			// Nothing has been sent (the answer is buffered whole), so a
			// half-written one is replaced, never sent truncated.
			ctx.Response.Reset()
			t.answer(ctx, errf(http.StatusInternalServerError, "internal", "internal error (a bug): please report it"))
		}
	}()
	t.h.ServeHTTP(x, &x.req)
	x.finish()
}

// request fills x.req from ctx, as net/http's server would: the URL parsed
// from the request target, canonical header names, Host out of the header.
// It refuses what net/http refuses and fasthttp lets through.
func (x *exchange) request(ctx *fasthttp.RequestCtx) *httpError {
	h := &ctx.Request.Header
	if !chunkedOnly(h.RawHeaders()) {
		// fasthttp reads such a body as absent, or by Content-Length;
		// a proxy in front may frame it otherwise (RFC 9112 §6.3: 400, close).
		return errf(http.StatusBadRequest, "bad_request", "malformed request: a Transfer-Encoding other than chunked")
	}
	if e := h.Peek("Expect"); len(e) > 0 && !bytes.EqualFold(e, []byte("100-continue")) {
		return errf(http.StatusExpectationFailed, "expectation_failed", "the only expectation supported is 100-continue")
	}
	target := string(ctx.RequestURI())
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return errf(http.StatusBadRequest, "bad_request", "malformed request: the request target is not a valid URL")
	}
	r := &x.req
	r.Method = method(ctx.Method())
	r.URL = u
	r.RequestURI = target
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	if !h.IsHTTP11() {
		r.Proto, r.ProtoMinor = "HTTP/1.0", 0
	}
	r.Host = string(ctx.Host())
	r.RemoteAddr = ctx.RemoteAddr().String()
	r.Close = h.ConnectionClose()
	r.Header = make(http.Header, 8)
	for k, v := range h.All() {
		switch string(k) { // no allocation: a comparison
		case "Host", "Transfer-Encoding", "Trailer":
			continue // net/http keeps these out of the map too
		}
		name := string(k)
		r.Header[name] = append(r.Header[name], string(v))
	}
	body := ctx.PostBody() // read whole, at most MaxBodyBytes; valid until the handler returns
	r.ContentLength = int64(len(body))
	if len(body) == 0 {
		r.Body = http.NoBody
	} else {
		x.body.Reset(body)
		r.Body = io.NopCloser(&x.body)
	}
	return nil
}

// chunkedOnly reports whether every Transfer-Encoding field of a raw
// header block says "chunked", the only coding fasthttp frames a body by.
func chunkedOnly(raw []byte) bool {
	for len(raw) > 0 {
		var line []byte
		line, raw, _ = bytes.Cut(raw, []byte("\n"))
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("Transfer-Encoding")) &&
			!bytes.EqualFold(bytes.TrimSpace(value), []byte("chunked")) {
			return false
		}
	}
	return true
}

// method returns the request method, without an allocation for the usual ones.
func method(b []byte) string {
	for _, m := range [...]string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"} {
		if string(b) == m {
			return m
		}
	}
	return string(b)
}

// Header is the response header; changes after the first Write or
// WriteHeader are not sent (as under net/http).
func (x *exchange) Header() http.Header { return x.header }

// WriteHeader commits the status and header. Informational codes are not
// sent (the answer is buffered whole); later calls are ignored.
func (x *exchange) WriteHeader(code int) {
	if x.status != 0 || code >= 100 && code < 200 {
		return
	}
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code)) // as net/http
	}
	x.status = code
	_, typed := x.header["Content-Type"] // present, even nil, stops the sniffing (as net/http)
	x.sniff = !typed
	res := &x.ctx.Response
	res.SetStatusCode(code)
	for k, vs := range x.header {
		for _, v := range vs {
			res.Header.Add(k, headerValue(v))
		}
	}
}

// Write appends to the answer's body.
func (x *exchange) Write(p []byte) (int, error) {
	if x.status == 0 {
		x.WriteHeader(http.StatusOK)
	}
	if len(p) > 0 {
		x.written = true
		x.ctx.Response.AppendBody(p)
	}
	return len(p), nil
}

// WriteString appends to the answer's body without a copy to []byte.
func (x *exchange) WriteString(s string) (int, error) {
	if x.status == 0 {
		x.WriteHeader(http.StatusOK)
	}
	if s != "" {
		x.written = true
		x.ctx.Response.AppendBodyString(s)
	}
	return len(s), nil
}

// Flush commits the header; the answer is sent whole when the handler
// returns.
func (x *exchange) Flush() {
	if x.status == 0 {
		x.WriteHeader(http.StatusOK)
	}
}

// finish completes the answer after the handler: 200 when it wrote
// nothing, and a sniffed Content-Type when it set none (as net/http).
func (x *exchange) finish() {
	if x.status == 0 {
		x.WriteHeader(http.StatusOK)
	}
	res := &x.ctx.Response
	if x.written && x.sniff {
		body := res.Body()
		res.Header.SetContentType(http.DetectContentType(body[:min(len(body), 512)]))
	}
}

// headerValue replaces CR and LF with spaces, as net/http does, so that no
// value can end the header early.
func headerValue(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, v)
}

// refuse answers a request fasthttp could not read, with the API's JSON
// error. err's text is never sent or logged: it can hold bytes of the
// request.
func (t *HTTPServer) refuse(ctx *fasthttp.RequestCtx, err error) {
	var (
		small *fasthttp.ErrSmallBuffer
		nerr  net.Error
		he    *httpError
	)
	unread := true // the client may still be sending: drain it first
	switch {
	case errors.As(err, &nerr) && nerr.Timeout():
		he = errf(http.StatusRequestTimeout, "request_timeout", "the request did not arrive within %s", t.fs.ReadTimeout)
		unread = false // a client too slow to send: nothing to wait for
	case errors.As(err, &small):
		he = errf(http.StatusRequestHeaderFieldsTooLarge, "headers_too_large", "the request line and headers are larger than %d bytes", MaxRequestHead)
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		he = errf(http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than %d bytes", MaxBodyBytes)
	default:
		he = errf(http.StatusBadRequest, "bad_request", "malformed HTTP request")
	}
	if unread {
		drain(ctx.Conn())
	}
	// fasthttp has reset the request header by now: its Method would say
	// GET whatever was sent.
	t.reject(ctx, he, "")
}

// expect answers "Expect: 100-continue": 100 to receive the body, or 413
// at once for a declared body over [MaxBodyBytes], which the client then
// does not send. (A chunked body is refused once it passes the limit.)
func (t *HTTPServer) expect(ctx *fasthttp.RequestCtx) int {
	if ctx.Request.Header.ContentLength() <= MaxBodyBytes {
		return http.StatusContinue
	}
	t.reject(ctx, errf(http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than %d bytes", MaxBodyBytes),
		method(ctx.Method()))
	return http.StatusRequestEntityTooLarge
}

// reject answers he, and logs and counts it as the API does its answers.
// m is the request method, "" when unknown.
func (t *HTTPServer) reject(ctx *fasthttp.RequestCtx, he *httpError, m string) {
	t.answer(ctx, he)
	if !commonMethod(m) {
		m = "" // any token a client sent: not a label or a log value
	}
	t.api.metrics.observe("unmatched", m, he.status, 0)
	var buf [6]slog.Attr
	t.api.logRequest(context.Background(), time.Now(), append(buf[:0],
		slog.String("method", m),
		slog.String("route", "unmatched"),
		slog.Int("status", he.status),
		slog.Int("bytes", len(ctx.Response.Body())),
		slog.String("remote", remoteIP(ctx.RemoteAddr())),
		slog.String("error_code", he.body.Code),
	))
}

// Draining before a refusal: at most this much, this long, until the
// client has been silent for drainQuiet.
const (
	drainBytes = 8 << 20
	drainTime  = 2 * time.Second
	drainQuiet = 100 * time.Millisecond
)

// drain reads and drops what the client is still sending (the rest of a
// 1 MiB URL, a body over the limit) before the refusal is written and the
// connection closed. Closing a socket with unread input sends a reset
// instead of the answer's FIN, and the client can lose the answer to it;
// net/http lingers after such a close for the same reason.
func drain(c net.Conn) {
	buf := make([]byte, 32<<10)
	end := time.Now().Add(drainTime)
	for n := 0; n < drainBytes; {
		d := time.Now().Add(drainQuiet)
		if d.After(end) {
			d = end
		}
		if c.SetReadDeadline(d) != nil {
			return
		}
		m, err := c.Read(buf)
		n += m
		if err != nil {
			return
		}
	}
}

// answer sets ctx's response to he as JSON.
func (t *HTTPServer) answer(ctx *fasthttp.RequestCtx, he *httpError) {
	body, _ := plan.Encode(he.body)
	ctx.SetStatusCode(he.status)
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetContentType("application/json; charset=utf-8")
	ctx.SetBody(body)
}

func remoteIP(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	return a.String()
}

// transportLogger drops fasthttp's own messages (about connections that
// failed before or after their answer): they can quote request bytes, a
// bearer token among them, and every refused request already has its log
// line from [HTTPServer.refuse].
type transportLogger struct{}

func (transportLogger) Printf(string, ...any) {}
