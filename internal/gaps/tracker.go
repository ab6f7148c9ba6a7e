package gaps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// listLimit is the most issues the app-issue-tracker answers per list query
// (it has no paging).
const listLimit = 200

// Tracker speaks the API of Vrooli's app-issue-tracker: POST /api/v1/issues
// with its CreateIssueRequest, GET /api/v1/issues, PATCH /api/v1/issues/{id}
// and GET /api/v1/metadata/statuses. It ignores Idempotency-Key, so
// exactly-once filing is done by [Tracker.Sync] with the dedup key kept in
// each issue's metadata_extra.
type Tracker struct {
	Client  *http.Client
	Base    string // the tracker's base URL, without /api/v1
	Token   string // sent as a bearer token when set
	Retries int
	Backoff time.Duration
}

// TrackerBase turns what a user gives, the tracker's base URL or its
// /api/v1/issues endpoint, into the base URL.
func TrackerBase(raw string) string {
	s := strings.TrimRight(raw, "/")
	for _, suffix := range []string{"/issues", "/api/v1"} {
		s = strings.TrimSuffix(s, suffix)
	}
	return s
}

// Issue is what secretsctl reads of a tracker issue.
type Issue struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Notes    string `json:"notes"`
	Metadata struct {
		Labels map[string]string `json:"labels"`
		Extra  map[string]string `json:"extra"`
	} `json:"metadata"`
}

// call sends a request under /api/v1 and decodes the envelope's data.
func (t *Tracker) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	c := caller{Client: t.Client, Token: t.Token, Retries: t.Retries, Backoff: t.Backoff}
	answer, err := c.call(ctx, request{Method: method, URL: t.Base + "/api/v1" + path, Body: body})
	if err != nil {
		return err
	}
	var env struct {
		Success bool            `json:"success"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(answer, &env); err != nil {
		return fmt.Errorf("%s %s: not an app-issue-tracker answer: %w", method, path, err)
	}
	if !env.Success {
		return fmt.Errorf("%s %s: %s", method, path, env.Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Data, out)
}

// Statuses lists the tracker's issue statuses, in its order.
func (t *Tracker) Statuses(ctx context.Context) ([]string, error) {
	var data struct {
		Statuses []struct {
			ID string `json:"id"`
		} `json:"statuses"`
	}
	if err := t.call(ctx, http.MethodGet, "/metadata/statuses", nil, &data); err != nil {
		return nil, fmt.Errorf("read the tracker's statuses: %w", err)
	}
	ids := make([]string, 0, len(data.Statuses))
	for _, s := range data.Statuses {
		ids = append(ids, s.ID)
	}
	return ids, nil
}

// List returns the issues with a status. It fails rather than answer a
// truncated list, which would let a gap be filed twice.
func (t *Tracker) List(ctx context.Context, status string) ([]Issue, error) {
	q := url.Values{"status": {status}, "limit": {fmt.Sprint(listLimit)}}
	var data struct {
		Issues []Issue `json:"issues"`
	}
	if err := t.call(ctx, http.MethodGet, "/issues?"+q.Encode(), nil, &data); err != nil {
		return nil, fmt.Errorf("list %s issues: %w", status, err)
	}
	if len(data.Issues) >= listLimit {
		return nil, fmt.Errorf("list %s issues: the tracker lists at most %d per query and has that many, so secretsctl cannot tell which gaps already have an issue; archive or resolve some first", status, listLimit)
	}
	return data.Issues, nil
}

// Create files an issue and returns its id.
func (t *Tracker) Create(ctx context.Context, req CreateIssueRequest) (string, error) {
	var data struct {
		IssueID string `json:"issue_id"`
	}
	if err := t.call(ctx, http.MethodPost, "/issues", req, &data); err != nil {
		return "", err
	}
	return data.IssueID, nil
}

// resolveRequest is the part of the tracker's UpdateIssueRequest used to
// close an issue whose gap is gone.
type resolveRequest struct {
	Status string `json:"status"`
	Notes  string `json:"notes"`
	Fix    *fix   `json:"fix,omitempty"`
}

type fix struct {
	Applied    bool   `json:"applied"`
	CommitHash string `json:"commit_hash"`
}

// Resolve moves an issue to status with notes, recording commit (when not
// empty) as the fix.
func (t *Tracker) Resolve(ctx context.Context, id, status, notes, commit string) error {
	req := resolveRequest{Status: status, Notes: notes}
	if commit != "" {
		req.Fix = &fix{Applied: true, CommitHash: commit}
	}
	return t.call(ctx, http.MethodPatch, "/issues/"+url.PathEscape(id), req, nil)
}
