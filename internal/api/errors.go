package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// Error is the body of every error answer.
type Error struct {
	Error string `json:"error"`
	Code  string `json:"code"`
	// Valid lists the accepted values when a parameter has a closed set
	// (the tiers, for an unknown tier).
	Valid []string `json:"valid,omitempty"`
	// Summary and Blocking come with code plan_blocked (409): the plan's
	// summary and every secret that blocks it.
	Summary  *store.Summary   `json:"summary,omitempty"`
	Blocking []BlockingSecret `json:"blocking,omitempty"`
}

// httpError is an error with its status and code.
type httpError struct {
	status int
	body   Error
}

func (e *httpError) Error() string { return e.body.Error }

func errf(status int, code, format string, args ...any) *httpError {
	return &httpError{status: status, body: Error{Error: fmt.Sprintf(format, args...), Code: code}}
}

// ctxNote is the context key of the request's [requestNote].
const ctxNote = "secretsctl.note"

// requestNote is what handlers tell the request log: the revision answered
// and the error code. observe takes one from a pool for each request, with
// the map it installs as the request's gin keys, so that noting costs no
// allocation (c.Set would make a map and box each string per request).
type requestNote struct {
	keys      map[any]any
	revision  string
	errorCode string
}

var notes = sync.Pool{New: func() any {
	n := &requestNote{keys: make(map[any]any, 1)}
	return n
}}

// note returns the request's note; nil outside observe (which runs first
// for every route).
func note(c *gin.Context) *requestNote {
	if v, ok := c.Get(ctxNote); ok {
		return v.(*requestNote)
	}
	return nil
}

// noteRevision records the revision a request answers from.
func noteRevision(c *gin.Context, rev string) {
	if n := note(c); n != nil {
		n.revision = rev
	}
}

// fail writes err as JSON with its status and stops the chain.
func (s *Server) fail(c *gin.Context, err error) {
	he := classify(err)
	if he.status >= 500 {
		s.log.Error("request failed", "route", c.FullPath(), "error", err.Error())
	}
	if n := note(c); n != nil {
		n.errorCode = he.body.Code
	}
	if he.status == http.StatusMethodNotAllowed && c.Writer.Header().Get("Allow") == "" {
		c.Header("Allow", "GET")
	}
	c.Header("Cache-Control", "no-store")
	body, _ := plan.Encode(he.body)
	c.Data(he.status, "application/json; charset=utf-8", body)
	c.Abort()
}

// classify maps an error to a status and a code. Store errors name files and
// fields, never values, so their messages are safe to return.
func classify(err error) *httpError {
	var (
		he        *httpError
		unknown   *store.UnknownTierError
		shipped   *plan.NotShippedError
		notFound  *store.NotFoundError
		integrity *store.IntegrityError
		doc       *store.DocumentError
		key       *store.KeyError
		tooBig    *http.MaxBytesError
	)
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &tooBig):
		return errf(http.StatusRequestEntityTooLarge, "body_too_large", "the body is larger than %d bytes", MaxBodyBytes)
	case errors.As(err, &unknown):
		e := errf(http.StatusBadRequest, "unknown_tier", "%s", err.Error())
		e.body.Valid = unknown.Valid
		return e
	case errors.As(err, &shipped):
		return errf(http.StatusBadRequest, "tier_not_shipped", "%s", err.Error())
	case errors.As(err, &integrity):
		return errf(http.StatusUnprocessableEntity, "integrity", "%s", err.Error())
	case errors.As(err, &doc):
		return errf(http.StatusUnprocessableEntity, "invalid_document", "%s", err.Error())
	case errors.As(err, &key):
		return errf(http.StatusInternalServerError, "no_key", "%s: the server has no age key that can decrypt the store", key.File)
	case errors.As(err, &notFound):
		return errf(http.StatusNotFound, strings.ReplaceAll(notFound.Kind, " ", "_")+"_not_found", "%s", notFound.Error())
	}
	return errf(http.StatusInternalServerError, "internal", "internal error; see the server log")
}
