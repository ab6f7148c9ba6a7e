package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/singleflight"

	"github.com/secretsctl/secretsctl/store"
)

// Limits on requests.
const (
	MaxBodyBytes   = 64 << 10 // request body
	MaxURLBytes    = 8 << 10  // path and query
	MaxHeaderBytes = 32 << 10 // all header names and values
)

// Options configures a [Server].
type Options struct {
	// Store is the store to serve. Nil for a replica until its first sync
	// ([Server.Follow] sets it).
	Store *store.Store
	// AllowUnverified serves manifests read without the private key,
	// marked integrity: unverified.
	AllowUnverified bool
	// Tokens are the accepted bearer tokens; none means no authentication.
	// /healthz is always open.
	Tokens []string
	// Logger receives one line per request; slog.Default() when nil.
	Logger *slog.Logger
	// Assets, when set, serves a dashboard's files under a path prefix,
	// behind the request log, metrics and limits but without a token:
	// they must hold no data (the page loads, then asks for a token).
	Assets *Assets
	// Extra registers more routes (such as a /ui/ static handler) behind
	// the same middleware. Called once, after the API routes.
	Extra func(r *gin.Engine)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Assets is a handler of static files under Prefix, a path that ends in
// "/"; Prefix without its slash is routed to it too (to redirect).
type Assets struct {
	Prefix  string
	Handler http.Handler
}

// under reports whether path is served by a.
func (a *Assets) under(path string) bool {
	return a != nil && (strings.HasPrefix(path, a.Prefix) || path == strings.TrimSuffix(a.Prefix, "/"))
}

// Server is the API: an http.Handler and its state.
type Server struct {
	opts    Options
	engine  *gin.Engine
	log     *slog.Logger
	tokens  [][sha256.Size]byte
	metrics *metrics
	cache   *cache
	flight  singleflight.Group // one computation per cache key at a time
	// ledgerChecked remembers, per ledger commit and scenario filter, the
	// outcome of verifying the ledger's fingerprints (a nil error or the
	// integrity error): events are append-only, a commit never changes.
	ledgerChecked sync.Map

	mu    sync.RWMutex
	store *store.Store
	sync  syncState
}

// New builds the router.
func New(opts Options) *Server {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, log: opts.Logger, store: opts.Store, metrics: newMetrics(), cache: newCache(4096, 32)}
	for _, t := range opts.Tokens {
		s.tokens = append(s.tokens, sha256.Sum256([]byte(t)))
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	r.UseRawPath = true // route on the escaped path: %2F stays inside a parameter
	r.ContextWithFallback = true
	r.Use(s.observe, s.recover, s.limits, s.authenticate)
	r.NoRoute(func(c *gin.Context) {
		s.fail(c, errf(http.StatusNotFound, "not_found", "no route %s %s", c.Request.Method, truncate(c.Request.URL.Path, 256)))
	})
	r.NoMethod(func(c *gin.Context) {
		s.fail(c, errf(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed on %s: the API is read-only", c.Request.Method, truncate(c.Request.URL.Path, 256)))
	})
	s.routes(r)
	if a := opts.Assets; a != nil {
		h := gin.WrapH(a.Handler)
		r.Any(a.Prefix+"*path", h)
		r.Any(strings.TrimSuffix(a.Prefix, "/"), h)
	}
	if opts.Extra != nil {
		opts.Extra(r)
	}
	s.engine = r
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Engine is the Gin engine, to list or add routes.
func (s *Server) Engine() *gin.Engine { return s.engine }

func (s *Server) current() *store.Store {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.store
}

// observe logs one line per request and records metrics. It never logs a
// header value or a body.
func (s *Server) observe(c *gin.Context) {
	n := notes.Get().(*requestNote)
	n.keys[ctxNote] = n
	c.Keys = n.keys
	defer func() {
		// The request is over: gin drops its keys before the next one.
		c.Keys = nil
		clear(n.keys)
		*n = requestNote{keys: n.keys}
		notes.Put(n)
	}()
	start := time.Now()
	c.Next()
	d := time.Since(start)
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	s.metrics.observe(route, c.Request.Method, status, d)
	var buf [9]slog.Attr
	attrs := append(buf[:0],
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", truncate(c.Request.URL.Path, 256)),
		slog.Int("status", status),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.Duration("duration", d),
		slog.String("remote", c.RemoteIP()), // the peer, never a spoofable X-Forwarded-For
	)
	if n.revision != "" {
		attrs = append(attrs, slog.String("revision", n.revision))
	}
	if n.errorCode != "" {
		attrs = append(attrs, slog.String("error_code", n.errorCode))
	}
	s.logRequest(c.Request.Context(), attrs)
}

// logRequest writes the request line.
func (s *Server) logRequest(ctx context.Context, attrs []slog.Attr) {
	s.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}

// recover turns a panic into a 500 JSON answer.
func (s *Server) recover(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in handler", "route", c.FullPath())
			s.fail(c, errf(http.StatusInternalServerError, "internal", "internal error (a bug): please report it"))
		}
	}()
	c.Next()
}

// limits refuses oversized URLs, headers and bodies.
func (s *Server) limits(c *gin.Context) {
	r := c.Request
	if len(r.URL.RawPath)+len(r.URL.Path)+len(r.URL.RawQuery) > MaxURLBytes {
		s.fail(c, errf(http.StatusRequestURITooLong, "uri_too_long", "the URL is longer than %d bytes", MaxURLBytes))
		return
	}
	n := 0
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	if n > MaxHeaderBytes {
		s.fail(c, errf(http.StatusRequestHeaderFieldsTooLarge, "headers_too_large", "the headers are larger than %d bytes", MaxHeaderBytes))
		return
	}
	if r.ContentLength > MaxBodyBytes {
		s.fail(c, errf(http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than %d bytes", MaxBodyBytes))
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(c.Writer, r.Body, MaxBodyBytes)
	}
	c.Next()
}

// authenticate checks the bearer token, in constant time against every
// accepted token. /healthz and the assets stay open.
func (s *Server) authenticate(c *gin.Context) {
	if len(s.tokens) == 0 || c.Request.URL.Path == "/healthz" || s.opts.Assets.under(c.Request.URL.Path) {
		c.Next()
		return
	}
	h := c.Request.Header.Get("Authorization")
	const prefix = "Bearer "
	ok := 0
	if len(h) > len(prefix) && equalFoldASCII(h[:len(prefix)], prefix) {
		got := sha256.Sum256([]byte(h[len(prefix):]))
		for i := range s.tokens {
			ok |= subtle.ConstantTimeCompare(got[:], s.tokens[i][:])
		}
	}
	if ok != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="secretsctl"`)
		s.fail(c, errf(http.StatusUnauthorized, "unauthorized", "missing or wrong bearer token"))
		return
	}
	c.Next()
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
