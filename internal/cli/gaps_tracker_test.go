package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/gaps/trackertest"
	"github.com/secretsctl/secretsctl/internal/storetest"
)

// kioskScenario adds two gaps to the example store: KIOSK_PIN has no
// strategy on desktop (ships to end users) nor on saas.
const kioskScenario = `version: 1
name: kiosk
tiers: [desktop, saas]
resources:
  - name: postgres
secrets:
  - key: KIOSK_PIN
    description: Unlocks the kiosk's admin screen
    type: password
    classification: user
`

// kioskFixed gives KIOSK_PIN a strategy on saas, closing one gap.
const kioskFixed = kioskScenario + `    strategies:
      tier-4-saas:
        strategy: prompt
        prompt:
          label: Kiosk PIN
`

// trackerIssue is what the test reads back of a tracker issue.
type trackerIssue struct {
	ID           string              `json:"id"`
	Title        string              `json:"title"`
	Description  string              `json:"description"`
	Type         string              `json:"type"`
	Priority     string              `json:"priority"`
	Status       string              `json:"status"`
	Notes        string              `json:"notes"`
	Targets      []map[string]string `json:"targets"`
	ErrorContext struct {
		AffectedFiles []string `json:"affected_files"`
	} `json:"error_context"`
	Fix struct {
		CommitHash string `json:"commit_hash"`
	} `json:"fix"`
	Metadata struct {
		Tags   []string          `json:"tags"`
		Labels map[string]string `json:"labels"`
		Extra  map[string]string `json:"extra"`
	} `json:"metadata"`
}

// TestGapsIntoRealTracker files the gaps of a store into Vrooli's real
// app-issue-tracker, built from its source and run on 127.0.0.1: every gap
// becomes one issue with the fields a reviewer needs, a second run files
// nothing, and --close-resolved resolves the issue of a fixed gap only. No
// secret value reaches the tracker.
func TestGapsIntoRealTracker(t *testing.T) {
	srv := trackertest.Start(t) // before NewExample, which moves HOME
	dir := storetest.NewExample(t)
	writeScenario(t, dir, kioskScenario, "add kiosk")
	canary := "https://c4nary-9d1e7b2a.example.test"
	mustRun(t, dir, canary, "set", "n8n/WEBHOOK_URL")

	out := mustRun(t, dir, "", "gaps", "--post", srv.URL+"/api/v1/issues")
	assert.Contains(t, out, "filed 3 new issues in "+srv.URL+" (0 gaps already had one)")
	issues := listIssues(t, srv, "open")
	require.Len(t, issues, 3)
	byKey := map[string]trackerIssue{}
	for _, is := range issues {
		var full trackerIssue
		srv.Get(t, "/issues/"+is.ID, &struct {
			Issue *trackerIssue `json:"issue"`
		}{&full})
		byKey[full.Metadata.Labels["secret_id"]+"@"+full.Metadata.Labels["tier"]] = full
		assert.Regexp(t, `^secretsctl-gap-[0-9a-f]{24}$`, full.Metadata.Extra["secretsctl_gap_key"])
		assert.Equal(t, "task", full.Type)
		assert.Contains(t, full.Metadata.Tags, "missing-strategy")
	}
	n8n := byKey["n8n/WEBHOOK_URL@tier-2-desktop"]
	assert.Equal(t, "secrets: n8n/WEBHOOK_URL has no strategy on tier-2-desktop (scenario picker-wheel)", n8n.Title)
	assert.Contains(t, n8n.Description, "strategies.tier-2-desktop")
	assert.Equal(t, "high", n8n.Priority, "desktop ships to end users")
	assert.Equal(t, []map[string]string{{"type": "scenario", "id": "picker-wheel"}, {"type": "resource", "id": "n8n"}}, n8n.Targets)
	assert.Equal(t, []string{"resources/n8n.yaml"}, n8n.ErrorContext.AffectedFiles)
	assert.Subset(t, n8n.Metadata.Tags, []string{"tier:tier-2-desktop", "classification:service", "secret:n8n/WEBHOOK_URL"})
	assert.Equal(t, map[string]string{"tier": "tier-2-desktop", "classification": "service", "secret_id": "n8n/WEBHOOK_URL", "scenario": "picker-wheel"}, n8n.Metadata.Labels)
	saas := byKey["kiosk/KIOSK_PIN@tier-4-saas"]
	assert.Equal(t, "medium", saas.Priority, "saas does not ship to end users")
	assert.Equal(t, []map[string]string{{"type": "scenario", "id": "kiosk"}}, saas.Targets)
	assert.Equal(t, []string{"scenarios/kiosk.yaml"}, saas.ErrorContext.AffectedFiles)
	require.Contains(t, byKey, "kiosk/KIOSK_PIN@tier-2-desktop")

	out = mustRun(t, dir, "", "gaps", "--post", srv.URL)
	assert.Contains(t, out, "nothing to file: all 3 gaps already have an open issue")
	assert.Len(t, listIssues(t, srv, ""), 3, "a second run creates none")

	writeScenario(t, dir, kioskFixed, "kiosk: prompt for the PIN on saas")
	head := storetest.Git(t, dir, "rev-parse", "HEAD")
	out = mustRun(t, dir, "", "gaps", "--post", srv.URL, "--close-resolved")
	assert.Contains(t, out, "resolved 1 issue whose gap is gone\n  resolved "+saas.ID)
	var fixed trackerIssue
	srv.Get(t, "/issues/"+saas.ID, &struct {
		Issue *trackerIssue `json:"issue"`
	}{&fixed})
	assert.Equal(t, "completed", fixed.Status)
	assert.Contains(t, fixed.Notes, "kiosk/KIOSK_PIN on tier-4-saas (scenario kiosk) is no longer missing at store commit "+head)
	assert.Equal(t, head, fixed.Fix.CommitHash)
	open := listIssues(t, srv, "open")
	assert.Len(t, open, 2)
	for _, is := range open {
		assert.NotEqual(t, saas.ID, is.ID)
	}

	everything := rawGet(t, srv.URL+"/api/v1/export?format=json")
	assert.Contains(t, everything, "n8n/WEBHOOK_URL", "the export holds the issues")
	assert.NotContains(t, everything, canary, "no secret value in any issue")
	assert.NotContains(t, everything, "c4nary")
}

func writeScenario(t *testing.T, dir, content, message string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scenarios", "kiosk.yaml"), []byte(content), 0o644))
	mustRun(t, dir, "", "seal", filepath.Join(dir, "scenarios", "kiosk.yaml"))
	storetest.Git(t, dir, "add", "scenarios/kiosk.yaml")
	storetest.Git(t, dir, "commit", "-q", "-m", message)
}

// mustRun runs secretsctl in the store with stdin and returns its stdout.
func mustRun(t *testing.T, dir, stdin string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(append([]string{"secretsctl", "--store", dir}, args...), strings.NewReader(stdin), &out, &errOut)
	require.Equal(t, ExitOK, code, "%v: %s%s", args, out.String(), errOut.String())
	return out.String()
}

func listIssues(t *testing.T, srv *trackertest.Server, status string) []trackerIssue {
	t.Helper()
	var data struct {
		Issues []trackerIssue `json:"issues"`
	}
	srv.Get(t, "/issues?limit=200&status="+status, &data)
	return data.Issues
}

func rawGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	require.True(t, json.Valid(body), "a JSON answer")
	return string(body)
}

// faultProxy stands between secretsctl and the real tracker, counts the
// requests and their bearer tokens, and answers some itself.
type faultProxy struct {
	mu     sync.Mutex
	posts  int
	tokens map[string]int
	// fault answers a request itself: 0 forwards it, -1 drops the
	// connection, -2 forwards it and drops the connection before the answer.
	fault func(r *http.Request, post int) (status int, body string)
}

func (p *faultProxy) handler(target string) http.Handler {
	u, _ := url.Parse(target)
	forward := httputil.NewSingleHostReverseProxy(u)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.tokens[r.Header.Get("Authorization")]++
		if r.Method == http.MethodPost {
			p.posts++
		}
		status, body := p.fault(r, p.posts)
		p.mu.Unlock()
		switch {
		case status < 0:
			if status == -2 {
				forward.ServeHTTP(httptest.NewRecorder(), r)
			}
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case status > 0:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		default:
			forward.ServeHTTP(w, r)
		}
	})
}

// TestGapsTrackerFailures: a 5xx is retried; a connection dropped after the
// tracker filed the issue is retried without filing it twice; a 4xx is
// reported with the tracker's message and not retried; the token is sent on
// every request; the exit code says a gap was left without an issue, and the
// next run files only what is missing.
func TestGapsTrackerFailures(t *testing.T) {
	srv := trackertest.Start(t)
	dir := storetest.NewExample(t)
	writeScenario(t, dir, kioskScenario, "add kiosk")
	postBackoff = time.Millisecond
	t.Cleanup(func() { postBackoff = 500 * time.Millisecond })
	tokenFile := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte("tr4cker-token\n"), 0o600))

	p := &faultProxy{tokens: map[string]int{}}
	p.fault = func(r *http.Request, post int) (int, string) {
		switch {
		case r.Method != http.MethodPost:
			return 0, ""
		case post == 1:
			return http.StatusServiceUnavailable, `{"success":false,"message":"busy"}`
		case post == 2:
			return -2, ""
		case post == 3:
			return http.StatusBadRequest, `{"success":false,"message":"Payload contains unknown fields"}`
		}
		return 0, ""
	}
	proxy := httptest.NewServer(p.handler(srv.URL))
	defer proxy.Close()

	var out, errOut bytes.Buffer
	code := Main([]string{"secretsctl", "--store", dir, "gaps", "--post", proxy.URL, "--token-file", tokenFile},
		strings.NewReader(""), &out, &errOut)
	assert.Equal(t, ExitError, code, "one gap has no issue")
	assert.Contains(t, errOut.String(), "rejected with 400 Bad Request: Payload contains unknown fields")
	assert.Contains(t, errOut.String(), "2 of 3 gaps have an issue in "+proxy.URL+" (1 failure above)")
	assert.Equal(t, 4, p.posts, "posts: 503, filed but answer lost (found, not re-posted), 400 (not retried), accepted")
	assert.Len(t, listIssues(t, srv, "open"), 2)
	assert.Equal(t, map[string]int{"Bearer tr4cker-token": p.tokens["Bearer tr4cker-token"]}, p.tokens, "the token on every request")
	assert.NotContains(t, out.String()+errOut.String(), "tr4cker-token")

	out.Reset()
	errOut.Reset()
	code = Main([]string{"secretsctl", "--store", dir, "gaps", "--post", proxy.URL, "--token-file", tokenFile},
		strings.NewReader(""), &out, &errOut)
	require.Equal(t, ExitOK, code, errOut.String())
	assert.Contains(t, out.String(), "filed 1 new issue in "+proxy.URL+" (2 gaps already had one)")
	assert.Len(t, listIssues(t, srv, "open"), 3)
}
