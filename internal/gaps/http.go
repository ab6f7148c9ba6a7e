package gaps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// maxAnswer bounds what is read of an answer: a tracker's issue list.
const maxAnswer = 64 << 20

// caller makes HTTP requests with a bearer token, retrying 5xx answers and
// network errors with exponential backoff; a 4xx fails at once.
type caller struct {
	Client  *http.Client
	Token   string
	Retries int           // further attempts after a 5xx or a network error
	Backoff time.Duration // wait before the first retry; doubled each time
}

type request struct {
	Method, URL    string
	Body           []byte // JSON, or nil
	IdempotencyKey string
}

// call sends req until it succeeds, fails with a 4xx or runs out of
// retries, and returns a 2xx answer's body.
func (c caller) call(ctx context.Context, req request) ([]byte, error) {
	var answer []byte
	err := retry(ctx, c.Retries, c.Backoff, func(int) error {
		var err error
		answer, err = c.send(ctx, req)
		return err
	})
	return answer, err
}

// retryable marks an error worth another attempt: a 5xx answer or a
// network error.
type retryable struct{ error }

func (r retryable) Unwrap() error { return r.error }

// retry runs attempt (n counts from 0) until it succeeds or fails with an
// error that is not [retryable], at most retries more times, waiting
// backoff before the first retry and doubling the wait each time.
func retry(ctx context.Context, retries int, backoff time.Duration, attempt func(n int) error) error {
	wait := backoff
	var last error
	for n := 0; n <= retries; n++ {
		if n > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
			wait *= 2
		}
		err := attempt(n)
		var r retryable
		if err == nil || !errors.As(err, &r) {
			return err
		}
		last = err
	}
	if retries == 0 {
		return last
	}
	return fmt.Errorf("giving up after %d attempts: %w", retries+1, last)
}

// send makes one request and returns a 2xx answer's body; a failure worth
// retrying is [retryable].
func (c caller) send(ctx context.Context, r request) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.IdempotencyKey != "" {
		req.Header.Set("Idempotency-Key", r.IdempotencyKey)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return nil, retryable{err}
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case err != nil:
		return nil, retryable{fmt.Errorf("%s: reading the answer: %w", resp.Status, err)}
	case resp.StatusCode < 300:
		return answer, nil
	case resp.StatusCode >= 500:
		return nil, retryable{fmt.Errorf("%s: %s", resp.Status, message(answer))}
	}
	return nil, fmt.Errorf("rejected with %s: %s", resp.Status, message(answer))
}

// message is the server's explanation in an error answer: the "message" of
// a JSON envelope such as the app-issue-tracker's, else the first bytes.
func message(answer []byte) string {
	var env struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(answer, &env) == nil {
		if env.Message != "" {
			return env.Message
		}
		if env.Error != "" {
			return env.Error
		}
	}
	s := strings.TrimSpace(string(answer))
	if len(s) > 512 {
		s = s[:512] + "…"
	}
	return s
}
