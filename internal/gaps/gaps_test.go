package gaps_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/gaps"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

func exampleTasks(t *testing.T) []gaps.Task {
	t.Helper()
	sn := storetest.ExampleSnapshot(t)
	pairs, err := plan.Pairs(context.Background(), sn, "", "")
	require.NoError(t, err)
	tasks, err := gaps.Find(context.Background(), sn, pairs)
	require.NoError(t, err)
	return tasks
}

func TestFindExampleGap(t *testing.T) {
	tasks := exampleTasks(t)
	require.Len(t, tasks, 1, "the example store lacks one strategy")
	g := tasks[0]
	assert.Equal(t, "picker-wheel", g.Scenario)
	assert.Equal(t, store.TierDesktop, g.Tier)
	assert.Equal(t, "n8n/WEBHOOK_URL", g.SecretID)
	assert.Equal(t, "resources/n8n.yaml", g.File)
	assert.Contains(t, g.Title, "n8n/WEBHOOK_URL has no strategy on tier-2-desktop")
	assert.Contains(t, g.Body, "strategies.tier-2-desktop")
	assert.Contains(t, g.Body, "```yaml")
	assert.Contains(t, g.Labels, "missing-strategy")
	assert.Regexp(t, `^secretsctl-gap-[0-9a-f]{24}$`, g.DedupKey)
	assert.Equal(t, g.DedupKey, exampleTasks(t)[0].DedupKey, "the dedup key is stable across runs")
}

// receiver is a real HTTP server on 127.0.0.1 that records tasks by dedup
// key and can fail on purpose.
type receiver struct {
	mu       sync.Mutex
	byKey    map[string]int
	requests int
	fail     func(n int) int // status to answer the n-th request with, 0 to accept
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if code := r.fail(r.requests); code != 0 {
		http.Error(w, "nope", code)
		return
	}
	body, _ := io.ReadAll(req.Body)
	var task gaps.Task
	if json.Unmarshal(body, &task) != nil || req.Header.Get("Idempotency-Key") != task.DedupKey {
		http.Error(w, "bad task", http.StatusBadRequest)
		return
	}
	r.byKey[task.DedupKey]++
	w.WriteHeader(http.StatusCreated)
}

func serve(t *testing.T, fail func(int) int) (*receiver, *gaps.Poster) {
	r := &receiver{byKey: map[string]int{}, fail: fail}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"))
	return r, &gaps.Poster{Client: srv.Client(), URL: srv.URL, Retries: 3, Backoff: time.Millisecond}
}

func TestPostOnceAndSameKeysOnRepost(t *testing.T) {
	tasks := exampleTasks(t)
	r, p := serve(t, func(int) int { return 0 })
	n, err := p.Post(context.Background(), tasks)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = p.Post(context.Background(), tasks)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{tasks[0].DedupKey: 2}, r.byKey, "a re-post carries the same dedup key")
}

func TestPostRetries5xx(t *testing.T) {
	tasks := exampleTasks(t)
	r, p := serve(t, func(n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return 0
	})
	_, err := p.Post(context.Background(), tasks)
	require.NoError(t, err)
	assert.Equal(t, 3, r.requests, "two 500s, then accepted")
	assert.Equal(t, 1, r.byKey[tasks[0].DedupKey])
}

func TestPostGivesUpOn5xxAndReports4xx(t *testing.T) {
	tasks := exampleTasks(t)
	r, p := serve(t, func(int) int { return http.StatusServiceUnavailable })
	_, err := p.Post(context.Background(), tasks)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "giving up after 4 attempts")
	assert.Equal(t, 4, r.requests)

	r, p = serve(t, func(int) int { return http.StatusBadRequest })
	_, err = p.Post(context.Background(), tasks)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rejected with 400 Bad Request: nope")
	assert.Equal(t, 1, r.requests, "a 4xx is not retried")
}
