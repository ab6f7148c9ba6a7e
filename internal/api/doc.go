// Package api is secretsctl's read-only HTTP API (SPEC §11), on Gin: the
// deployment manifests deployment-manager and the bundlers read, and the
// queries the dashboard shows (scenarios, tiers, resources, coverage, gaps,
// revisions, plan diffs), with health, readiness, Prometheus metrics and an
// OpenAPI 3.1 document.
//
// Handlers only decode a request, call [plan], [coverage], [gaps] or a
// [store] query, and encode the answer. No route writes to the store: a
// POST computes.
//
// # Revisions and caching
//
// Every data route reads HEAD unless ?rev= names a commit, tag or branch.
// HEAD is re-checked on every request (three stat(2) calls, at most every
// 10 ms: see [store.Store.Head]), so a commit or a pull is served by the
// next request without a restart.
// Encoded answers are cached by (revision, route, parameters) and carry a
// strong ETag derived from their bytes; If-None-Match gives 304. The same
// revision gives the same bytes and the same ETag on every replica.
//
// # Replicas
//
// [Server.Follow] keeps a [store.Replica] in sync on an interval. /readyz is
// 503 until the first successful sync, then reports the revision and the
// time of the last good sync; a failed fetch keeps the last good revision
// serving and is reported in /readyz and in the metrics.
//
// # Errors and limits
//
// Every error the API answers is JSON {"error": "...", "code": "..."}: 400
// bad parameter (an unknown tier lists the valid ones), 401 missing or
// wrong bearer token, 404 unknown scenario, revision or route, 405 any
// other method, 413 oversized body, 414 URL too long, 422 a document that
// fails its integrity check or validation (the message names the file),
// 431 headers too large, 503 not ready. Request bodies are limited to
// [MaxBodyBytes], URLs to [MaxURLBytes], headers to [MaxHeaderBytes], the
// request line and headers together to [MaxRequestHead].
//
// # Transport
//
// [Server.HTTPServer] is the server serve runs: Go's net/http with
// explicit timeouts ([ReadHeaderTimeout], [ReadTimeout], [WriteTimeout],
// [IdleTimeout]) and a bound on what it reads of a request head
// ([MaxWireHead]). In front of the handler it refuses a head over
// [MaxRequestHead] (431) and a body over [MaxBodyBytes] (413, before "100
// Continue") with the API's JSON errors, and reads a body within the limit
// whole. A request net/http cannot read — a malformed request line or
// header field (a name with a space in it), an HTTP version other than
// 1.0 or 1.1 (505), a Transfer-Encoding other than chunked (501) — gets
// net/http's own plain-text answer and the connection closes; a chunked
// request's connection closes after its answer. Request.Context is
// cancelled when the client goes away. The request log is one
// slog.JSONHandler line per request, never a header value or a body.

// # Assets and more routes
//
// [Options.Assets] serves a dashboard's static files under a prefix,
// behind the same request log, metrics and limits, without a token (they
// hold no data); serve mounts the /ui/ dashboard there:
//
//	api.New(api.Options{Store: st, Assets: &api.Assets{Prefix: ui.Prefix, Handler: ui.Handler()}})
//
// [Options.Extra] is called with the Gin engine after the API routes are
// registered, to add routes behind all the middleware, bearer tokens
// included. openapi.json documents the API routes registered by [New];
// its test builds a server without Assets or Extra.
package api
