package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secretsctl/secretsctl/store"
)

// syncState is what /readyz reports about a replica.
type syncState struct {
	remote    string
	lastGood  time.Time
	revision  string
	lastError string
	errorAt   time.Time
}

// Follow syncs the replica now and then every interval until ctx ends.
// The server is not ready before the first successful sync; a failed sync
// keeps the last good revision serving.
func (s *Server) Follow(ctx context.Context, r *store.Replica, interval time.Duration) {
	s.mu.Lock()
	s.sync.remote = r.Remote()
	s.mu.Unlock()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.syncOnce(ctx, r, interval)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) syncOnce(ctx context.Context, r *store.Replica, interval time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, min(max(interval, 5*time.Second), time.Minute))
	defer cancel()
	rev, err := r.Sync(ctx)
	now := s.opts.Now().UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.sync.lastError, s.sync.errorAt = err.Error(), now
		s.metrics.syncs.WithLabelValues("error").Inc()
		s.log.Warn("replica sync failed; serving the last good revision", "remote", s.sync.remote,
			"revision", s.sync.revision, "error", err.Error())
		return
	}
	if s.sync.revision != rev.Hash {
		s.log.Info("replica synced", "remote", s.sync.remote, "revision", rev.Hash)
	}
	s.store = r.Store()
	s.sync.revision, s.sync.lastGood, s.sync.lastError, s.sync.errorAt = rev.Hash, now, "", time.Time{}
	s.metrics.synced(rev.Hash, now)
}

// Health is the answer of /readyz (and /healthz).
type Health struct {
	Status   string `json:"status"`
	Ready    bool   `json:"ready"`
	Revision string `json:"revision,omitempty"`
	// Replica fields: the remote followed, the time of the last good sync,
	// and the last sync error when the latest sync failed.
	Remote    string     `json:"remote,omitempty"`
	LastSync  *time.Time `json:"last_sync,omitempty"`
	LastError string     `json:"last_error,omitempty"`
	ErrorAt   *time.Time `json:"last_error_at,omitempty"`
}

func (s *Server) healthz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, Health{Status: "ok", Ready: s.current() != nil})
}

// readyz is ready when HEAD resolves; for a replica, after its first good
// sync.
func (s *Server) readyz(c *gin.Context) {
	s.mu.RLock()
	st, sy := s.store, s.sync
	s.mu.RUnlock()
	h := Health{Status: "not ready", Remote: sy.remote, LastError: sy.lastError}
	if !sy.lastGood.IsZero() {
		h.LastSync = &sy.lastGood
	}
	if !sy.errorAt.IsZero() {
		h.ErrorAt = &sy.errorAt
	}
	status := http.StatusServiceUnavailable
	if st != nil {
		if rev, err := st.Head(); err == nil {
			h.Status, h.Ready, h.Revision, status = "ready", true, rev.Hash, http.StatusOK
		} else if h.LastError == "" {
			h.LastError = err.Error()
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, h)
}
