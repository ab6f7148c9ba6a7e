package gaps

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Poster sends tasks to an issue tracker endpoint: one POST of a task's
// JSON each, with its dedup key in the Idempotency-Key header.
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
	wait := p.Backoff
	var last error
	for attempt := 0; attempt <= p.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
			wait *= 2
		}
		retry, err := p.send(ctx, t, body)
		if err == nil {
			return nil
		}
		if !retry {
			return err
		}
		last = err
	}
	return fmt.Errorf("giving up after %d attempts: %w", p.Retries+1, last)
}

// send makes one request and says whether a failure is worth retrying.
func (p *Poster) send(ctx context.Context, t Task, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", t.DedupKey)
	if p.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.Token)
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return true, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode >= 500:
		return true, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return false, fmt.Errorf("rejected with %s: %s", resp.Status, bytes.TrimSpace(msg))
}
