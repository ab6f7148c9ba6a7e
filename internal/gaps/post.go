package gaps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Poster sends tasks to a generic JSON endpoint (--post-format json): one
// POST of a task's JSON each, with its dedup key in the Idempotency-Key
// header, for receivers that deduplicate by that header.
type Poster struct {
	Client  *http.Client
	URL     string
	Retries int           // further attempts after a 5xx or a network error
	Backoff time.Duration // wait before the first retry; doubled each time
	Token   string        // sent as a bearer token when set
}

// Post sends every task and returns how many were accepted. A 4xx is an
// error naming the task and the status, without retry.
func (p *Poster) Post(ctx context.Context, tasks []Task) (int, error) {
	for i, t := range tasks {
		if err := p.postOne(ctx, t); err != nil {
			return i, fmt.Errorf("post %s (%s on %s): %w", t.DedupKey, t.SecretID, t.Tier, err)
		}
	}
	return len(tasks), nil
}

func (p *Poster) postOne(ctx context.Context, t Task) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	c := caller{Client: p.Client, Token: p.Token, Retries: p.Retries, Backoff: p.Backoff}
	_, err = c.call(ctx, request{Method: http.MethodPost, URL: p.URL, Body: body, IdempotencyKey: t.DedupKey})
	return err
}
