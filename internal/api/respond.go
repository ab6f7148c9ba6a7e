package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

var errNotReady = errf(http.StatusServiceUnavailable, "not_ready", "not ready: the replica has not synced yet")

// snapshot returns the store at the revision ?rev= (or a POST body's rev)
// names, HEAD when empty.
func (s *Server) snapshot(c *gin.Context, rev string) (*store.Snapshot, error) {
	sn, err := s.snapshotAt(rev)
	if err != nil {
		return nil, err
	}
	noteRevision(c, sn.Revision)
	return sn, nil
}

// snapshotAt returns the store at rev (HEAD when empty), from the cache
// when it has it.
func (s *Server) snapshotAt(rev string) (*store.Snapshot, error) {
	st := s.current()
	if st == nil {
		return nil, errNotReady
	}
	if err := checkRev("rev", rev); err != nil {
		return nil, err
	}
	r, err := st.Resolve(rev)
	if err != nil {
		return nil, err
	}
	if sn, ok := s.cache.snaps.get(r.Hash); ok {
		return sn, nil
	}
	sn, err := st.Snapshot(store.ReadOptions{Rev: r.Hash, AllowUnverified: s.opts.AllowUnverified})
	if err != nil {
		return nil, err
	}
	s.cache.snaps.put(r.Hash, sn)
	return sn, nil
}

// cached answers with the encoding of compute's result for key at the
// snapshot's revision, computing it only once per revision.
func (s *Server) cached(c *gin.Context, sn *store.Snapshot, key string, compute func() (any, error)) {
	var buf [128]byte
	k := cacheKey(buf[:0], sn.Revision, key)
	if s.hit(c, k) {
		return
	}
	s.miss(c, sn, string(k), compute)
}

// cacheKey appends the parts of a cache key (the revision first), separated
// by NUL bytes, to buf.
func cacheKey(buf []byte, parts ...string) []byte {
	for i, p := range parts {
		if i > 0 {
			buf = append(buf, 0)
		}
		buf = append(buf, p...)
	}
	return buf
}

// hit answers from the cache when it holds k (from [cacheKey]), and
// counts the lookup either way.
func (s *Server) hit(c *gin.Context, k []byte) bool {
	b, ok := s.cache.bodies.getBytes(k)
	s.metrics.cacheLookup(ok)
	if ok {
		s.write(c, b)
	}
	return ok
}

// miss answers with compute's result for k, after a failed [Server.hit].
func (s *Server) miss(c *gin.Context, sn *store.Snapshot, k string, compute func() (any, error)) {
	b, err := s.fill(k, sn.Revision, compute)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.write(c, b)
}

// fill computes and caches the body of key k at revision rev once, however
// many requests (or Warm) ask for it at the same time.
func (s *Server) fill(k, rev string, compute func() (any, error)) (*body, error) {
	v, err, _ := s.flight.Do(k, func() (any, error) {
		if b, ok := s.cache.bodies.get(k); ok {
			return b, nil
		}
		v, err := compute()
		if err != nil {
			return nil, err
		}
		data, err := plan.Encode(v)
		if err != nil {
			return nil, err
		}
		b := newBody(data, rev)
		s.cache.bodies.put(k, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*body), nil
}

// uncached answers with v's encoding, with an ETag all the same.
func (s *Server) uncached(c *gin.Context, rev string, v any) {
	data, err := plan.Encode(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.write(c, newBody(data, rev))
}

// Header values every answer shares (see [body]).
var (
	noCache     = []string{"no-cache"}
	contentJSON = []string{"application/json; charset=utf-8"}
)

// write sends b, or 304 when the client already has it. It sets the header
// values b holds, in canonical form, without formatting any.
func (s *Server) write(c *gin.Context, b *body) {
	h := c.Writer.Header()
	h["Etag"] = b.etagHeader
	h["Cache-Control"] = noCache
	if b.revisionHeader != nil {
		h["X-Secretsctl-Revision"] = b.revisionHeader
	}
	if noneMatch(c.Request.Header.Get("If-None-Match"), b.etag) {
		c.Status(http.StatusNotModified)
		c.Writer.WriteHeaderNow()
		return
	}
	h["Content-Type"] = contentJSON
	h["Content-Length"] = b.lengthHeader
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(b.data) // a failed write is the client gone; net/http drops the connection
}

// noneMatch reports whether an If-None-Match header matches etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func noneMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "*" || strings.TrimPrefix(part, "W/") == etag {
			return true
		}
	}
	return false
}
