package api_test

import (
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/api"
	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// fixture is a real example store served by a real HTTP server on 127.0.0.1.
type fixture struct {
	dir string
	st  *store.Store
	srv *api.Server
	url string
	log *storetest.SyncBuffer
}

func newFixture(t *testing.T, opts api.Options) *fixture {
	t.Helper()
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	f := &fixture{dir: dir, st: st, log: &storetest.SyncBuffer{}}
	opts.Store = st
	opts.Logger = slog.New(slog.NewJSONHandler(f.log, nil))
	f.srv = api.New(opts)
	f.url = serveHTTP(t, f.srv.HTTPServer(f.srv))
	return f
}

// do sends a request and returns the status, headers and body.
func (f *fixture) do(t *testing.T, method, path string, body io.Reader, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.url+path, body)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

func (f *fixture) get(t *testing.T, path string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	return f.do(t, http.MethodGet, path, nil, hdr...)
}

// errorCode decodes an error body and checks its shape.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e api.Error
	require.NoError(t, json.Unmarshal(body, &e), "error body is not JSON: %q", truncate(body))
	assert.NotEmpty(t, e.Error)
	assert.NotEmpty(t, e.Code)
	return e.Code
}

func truncate(b []byte) []byte {
	if len(b) > 300 {
		return b[:300]
	}
	return b
}

// dmManifest is what deployment-manager decodes: bundle_secrets only.
type dmManifest struct {
	BundleSecrets []struct {
		ID          string `json:"id"`
		Class       string `json:"class"`
		Required    bool   `json:"required"`
		Description string `json:"description"`
		Format      string `json:"format"`
		Target      struct {
			Type string `json:"type"`
			Name string `json:"name"`
		} `json:"target"`
		Prompt *struct {
			Label       string `json:"label"`
			Description string `json:"description"`
		} `json:"prompt"`
		Generator map[string]any `json:"generator"`
	} `json:"bundle_secrets"`
}

// test that a client decoding only what deployment-manager decodes gets the
// example store's plan, that tier aliases give the same bytes, and that a
// plan blocked by a required secret is an error naming it.
func TestDeploymentManagerClient(t *testing.T) {
	f := newFixture(t, api.Options{})
	status, hdr, body := f.get(t, "/api/v1/deployment/secrets/picker-wheel?tier=tier-2-desktop&include_optional=true")
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Equal(t, "application/json; charset=utf-8", hdr.Get("Content-Type"))
	var got dmManifest
	require.NoError(t, json.Unmarshal(body, &got))

	sn, err := f.st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	m, err := plan.ForSnapshot(sn, "picker-wheel", "tier-2-desktop")
	require.NoError(t, err)
	want, err := plan.Encode(m)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(body), "the API serves the plan's bytes")
	require.Len(t, got.BundleSecrets, len(m.BundleSecrets))
	require.NotEmpty(t, got.BundleSecrets)
	classes := map[string]bool{}
	for i, bs := range got.BundleSecrets {
		assert.Equal(t, m.BundleSecrets[i].ID, bs.ID)
		assert.Equal(t, m.BundleSecrets[i].Class, bs.Class)
		assert.Equal(t, m.BundleSecrets[i].Target.Name, bs.Target.Name)
		classes[bs.Class] = true
		switch bs.Class {
		case "user_prompt":
			require.NotNil(t, bs.Prompt, bs.ID)
			assert.NotEmpty(t, bs.Prompt.Label)
		case "per_install_generated":
			assert.NotEmpty(t, bs.Generator["type"], bs.ID)
		}
	}
	assert.True(t, classes["user_prompt"] && classes["per_install_generated"], "picker-wheel's desktop plan prompts and generates: %v", classes)

	for _, tier := range []string{"desktop", "2", "DESKTOP"} {
		_, _, other := f.get(t, "/api/v1/deployment/secrets/picker-wheel?tier="+tier)
		assert.Equal(t, string(body), string(other), "tier=%s", tier)
	}
	_, _, seed := f.get(t, "/deployment/secrets?scenario=picker-wheel&tier=desktop")
	assert.Equal(t, string(body), string(seed), "the seed route")
	_, _, alias := f.get(t, "/api/v1/plans/picker-wheel/desktop")
	assert.Equal(t, string(body), string(alias), "the plans alias")
	status, _, posted := f.do(t, http.MethodPost, "/api/v1/deployment/secrets",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"2","resources":[],"include_optional":true}`))
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, string(body), string(posted), "the POST route")

	// A required secret without a desktop strategy: deployment-manager's
	// fetch fails with the secret named, instead of assembling a bundle
	// without it.
	requireSecret(t, f, "n8n", "WEBHOOK_URL")
	_, err = dmFetch(f.url + "/api/v1/deployment/secrets/picker-wheel?tier=tier-2-desktop&include_optional=true")
	require.Error(t, err)
	assert.EqualError(t, err, "secrets-manager: HTTP 409 plan_blocked: picker-wheel cannot be bundled for tier-2-desktop: "+
		"required secret n8n/WEBHOOK_URL (missing-strategy: no strategy declared for tier-2-desktop) blocks the plan; "+
		"give it a strategy for the tier, or pass allow_blocking=true to see the manifest")
}

// test that include_optional=false and a resources filter narrow the lists
// but not the summary, and that readiness returns the summary.
func TestNarrowAndReadiness(t *testing.T) {
	f := newFixture(t, api.Options{})
	_, _, full := f.get(t, "/api/v1/deployment/secrets/picker-wheel?tier=desktop")
	var all store.Manifest
	require.NoError(t, json.Unmarshal(full, &all))

	status, _, body := f.do(t, http.MethodPost, "/api/v1/deployment/secrets",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"desktop","resources":["postgres"],"include_optional":false}`))
	require.Equal(t, http.StatusOK, status, "%s", body)
	var m store.Manifest
	require.NoError(t, json.Unmarshal(body, &m))
	assert.Equal(t, []string{"postgres"}, m.Resources)
	require.NotEmpty(t, m.Secrets)
	for _, s := range m.Secrets {
		assert.True(t, s.Required, s.ID)
		assert.True(t, s.ResourceName == "postgres" || s.ResourceName == "picker-wheel", s.ID)
	}
	assert.Less(t, len(m.Secrets), len(all.Secrets))
	assert.Equal(t, all.Summary, m.Summary)

	status, _, body = f.do(t, http.MethodPost, "/api/v1/deployment/secrets",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"desktop","resources":["redis"]}`))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "unknown_resource", errorCode(t, body))

	status, _, body = f.do(t, http.MethodPost, "/api/v1/deployment/readiness",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"desktop"}`))
	require.Equal(t, http.StatusOK, status, "%s", body)
	var r map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &r))
	for _, k := range []string{"scenario", "tier", "resources", "summary", "generated_at"} {
		assert.Contains(t, r, k)
	}
	var sum store.Summary
	require.NoError(t, json.Unmarshal(r["summary"], &sum))
	assert.Equal(t, all.Summary, sum)
}

// test that the ETag is strong and stable, 304 answers a matching
// If-None-Match, and a new commit gives a new manifest and ETag.
func TestETagAndNewCommit(t *testing.T) {
	f := newFixture(t, api.Options{})
	const path = "/deployment/secrets?scenario=picker-wheel&tier=desktop"
	status, hdr, first := f.get(t, path)
	require.Equal(t, http.StatusOK, status)
	etag := hdr.Get("ETag")
	require.Regexp(t, `^"[0-9a-f]{32}"$`, etag)

	status, hdr, body := f.get(t, path, "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, status)
	assert.Empty(t, body)
	assert.Equal(t, etag, hdr.Get("ETag"))
	status, _, _ = f.get(t, path, "If-None-Match", `"other", W/`+etag)
	assert.Equal(t, http.StatusNotModified, status, "a list and a weak form match too")

	head := storetest.Git(t, f.dir, "rev-parse", "HEAD")
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "NOTES.md"), []byte("a new commit\n"), 0o644))
	storetest.Git(t, f.dir, "add", "NOTES.md")
	storetest.Git(t, f.dir, "commit", "-q", "-m", "notes")
	next := storetest.Git(t, f.dir, "rev-parse", "HEAD")

	status, hdr, second := f.get(t, path, "If-None-Match", etag)
	require.Equal(t, http.StatusOK, status, "the old ETag no longer matches after the commit")
	assert.NotEqual(t, etag, hdr.Get("ETag"))
	assert.Equal(t, next, hdr.Get("X-Secretsctl-Revision"))
	assert.Contains(t, string(second), `"revision": "`+next+`"`)

	status, hdr, pinned := f.get(t, path+"&rev="+head)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, string(first), string(pinned), "?rev= pins the old revision")
	assert.Equal(t, etag, hdr.Get("ETag"))
	status, _, _ = f.get(t, path+"&rev=HEAD~1")
	assert.Equal(t, http.StatusOK, status)
}

// routes returns every registered route with its parameters filled in.
func routes(srv *api.Server) map[string][]string {
	out := map[string][]string{}
	for _, r := range srv.Engine().Routes() {
		p := strings.NewReplacer(":scenario", "picker-wheel", ":name", "picker-wheel", ":tier", "desktop").Replace(r.Path)
		out[p] = append(out[p], r.Method)
	}
	return out
}

// test that every mutating method on every route is 405 with a JSON body.
func TestEveryMutatingMethodIs405(t *testing.T) {
	f := newFixture(t, api.Options{})
	n := 0
	for path, methods := range routes(f.srv) {
		for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if m == http.MethodPost && len(methods) == 1 && methods[0] == http.MethodPost {
				continue // a POST route computes; its GET is 405 instead
			}
			status, hdr, body := f.do(t, m, path, strings.NewReader(`{}`))
			assert.Equal(t, http.StatusMethodNotAllowed, status, "%s %s", m, path)
			assert.Equal(t, "method_not_allowed", errorCode(t, body), "%s %s", m, path)
			assert.NotEmpty(t, hdr.Get("Allow"), "%s %s", m, path)
			n++
		}
		if len(methods) == 1 && methods[0] == http.MethodPost {
			status, _, body := f.get(t, path)
			assert.Equal(t, http.StatusMethodNotAllowed, status, "GET %s", path)
			errorCode(t, body)
		}
	}
	assert.Greater(t, n, 50)
}

// test that a document changed without the key is a 422 naming the file.
func TestTamperedDocumentIs422(t *testing.T) {
	f := newFixture(t, api.Options{})
	file := filepath.Join(f.dir, "resources", "postgres.yaml")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Contains(t, string(data), "strategy: strip")
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(data), "strategy: strip", "strategy: delegate", 1)), 0o644))
	storetest.Git(t, f.dir, "commit", "-q", "-am", "edit without the key")

	for _, path := range []string{
		"/deployment/secrets?scenario=picker-wheel&tier=desktop",
		"/api/v1/resources",
		"/api/v1/coverage",
	} {
		status, _, body := f.get(t, path)
		assert.Equal(t, http.StatusUnprocessableEntity, status, path)
		assert.Equal(t, "integrity", errorCode(t, body), path)
		assert.Contains(t, string(body), "resources/postgres.yaml", path)
	}
}

// test that bad parameters are 4xx JSON answers, never a 5xx.
func TestBadParameters(t *testing.T) {
	f := newFixture(t, api.Options{})
	huge := strings.Repeat("a", 1<<20)
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"unknown tier", "GET", "/deployment/secrets?scenario=picker-wheel&tier=moon", "", 400, "unknown_tier"},
		{"missing tier", "GET", "/deployment/secrets?scenario=picker-wheel", "", 400, "missing_parameter"},
		{"missing scenario", "GET", "/deployment/secrets?tier=desktop", "", 400, "missing_parameter"},
		{"unknown scenario", "GET", "/deployment/secrets?scenario=nope&tier=desktop", "", 404, "scenario_not_found"},
		{"dotdot in query", "GET", "/deployment/secrets?scenario=../../etc/passwd&tier=desktop", "", 400, "invalid_parameter"},
		{"dotdot in path", "GET", "/api/v1/deployment/secrets/..%2F..%2Fetc?tier=desktop", "", 400, "invalid_parameter"},
		{"dot name", "GET", "/api/v1/scenarios/..", "", 400, "invalid_parameter"},
		{"dotdot scenario detail", "GET", "/api/v1/scenarios/..%2Fsecretsctl", "", 400, "invalid_parameter"},
		{"9 KiB scenario in query", "GET", "/deployment/secrets?tier=desktop&scenario=" + strings.Repeat("a", 9<<10), "", 414, "uri_too_long"},
		{"1 MiB scenario in query", "GET", "/deployment/secrets?tier=desktop&scenario=" + huge, "", 431, "headers_too_large"},
		{"1 MiB scenario in body", "POST", "/api/v1/deployment/secrets", `{"scenario":"` + huge + `","tier":"desktop"}`, 413, "body_too_large"},
		{"long scenario", "GET", "/deployment/secrets?tier=desktop&scenario=" + strings.Repeat("a", 200), "", 400, "invalid_parameter"},
		{"invalid UTF-8 scenario", "GET", "/deployment/secrets?scenario=%ff%fe&tier=desktop", "", 400, "invalid_parameter"},
		{"invalid UTF-8 tier", "GET", "/deployment/secrets?scenario=picker-wheel&tier=%ff", "", 400, "invalid_parameter"},
		{"invalid UTF-8 in body", "POST", "/api/v1/deployment/secrets", "{\"scenario\":\"\xff\",\"tier\":\"desktop\"}", 400, "invalid_parameter"},
		{"NUL in rev", "GET", "/api/v1/tiers?rev=%00", "", 400, "invalid_parameter"},
		{"unknown rev", "GET", "/api/v1/tiers?rev=no-such-branch", "", 404, "revision_not_found"},
		{"bad include_optional", "GET", "/api/v1/deployment/secrets/picker-wheel?tier=2&include_optional=maybe", "", 400, "invalid_parameter"},
		{"not shipped", "GET", "/deployment/secrets?scenario=agent-inbox&tier=mobile", "", 400, "tier_not_shipped"},
		{"malformed body", "POST", "/api/v1/deployment/readiness", `{"scenario":`, 400, "invalid_body"},
		{"empty body", "POST", "/api/v1/deployment/readiness", ``, 400, "invalid_body"},
		{"wrong type in body", "POST", "/api/v1/deployment/secrets", `{"scenario":1}`, 400, "invalid_body"},
		{"plan-diff without base", "GET", "/api/v1/plan-diff", "", 400, "missing_parameter"},
		{"unknown route", "GET", "/api/v2/nothing", "", 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := f.do(t, tc.method, tc.path, strings.NewReader(tc.body))
			assert.Equal(t, tc.status, status, "%s", truncate(body))
			assert.Equal(t, tc.code, errorCode(t, body))
			assert.Less(t, len(body), 4096, "the error does not echo the input")
		})
	}
	_, _, body := f.get(t, "/deployment/secrets?scenario=picker-wheel&tier=moon")
	var e api.Error
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Contains(t, e.Valid, "tier-2-desktop (desktop, 2)", "an unknown tier lists the valid ones")
	assert.Contains(t, e.Error, "tier-4-saas")
}

// test that with tokens every route but /healthz needs one.
func TestBearerTokens(t *testing.T) {
	f := newFixture(t, api.Options{Tokens: []string{"first-token", "second-token"}})
	const path = "/deployment/secrets?scenario=picker-wheel&tier=desktop"
	status, hdr, body := f.get(t, path)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "unauthorized", errorCode(t, body))
	assert.Contains(t, hdr.Get("WWW-Authenticate"), "Bearer")
	for _, bad := range []string{"Bearer wrong", "Bearer first-token2", "Basic Zmlyc3QtdG9rZW4=", "first-token", "Bearer "} {
		status, _, _ = f.get(t, path, "Authorization", bad)
		assert.Equal(t, http.StatusUnauthorized, status, bad)
	}
	for _, good := range []string{"Bearer first-token", "bearer second-token"} {
		status, _, _ = f.get(t, path, "Authorization", good)
		assert.Equal(t, http.StatusOK, status, good)
	}
	for _, p := range []string{"/readyz", "/metrics", "/openapi.json", "/api/v1/tiers"} {
		status, _, _ = f.get(t, p)
		assert.Equal(t, http.StatusUnauthorized, status, p)
	}
	status, _, _ = f.get(t, "/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.NotContains(t, f.log.String(), "first-token", "tokens are never logged")
}

// test that assets are served without a token, behind the request log and
// the metrics, while every other route still needs one.
func TestAssets(t *testing.T) {
	files := http.StripPrefix("/ui/", http.FileServerFS(fstest.MapFS{"index.html": {Data: []byte("<!DOCTYPE html><p>dashboard")}}))
	assets := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ui" {
			http.Redirect(w, r, "/ui/", http.StatusMovedPermanently)
			return
		}
		files.ServeHTTP(w, r)
	})
	f := newFixture(t, api.Options{Tokens: []string{"the-token"}, Assets: &api.Assets{Prefix: "/ui/", Handler: assets}})
	status, hdr, body := f.get(t, "/ui/")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "<!DOCTYPE html><p>dashboard", string(body))
	assert.Equal(t, "text/html; charset=utf-8", hdr.Get("Content-Type"))
	req, err := http.NewRequest(http.MethodGet, f.url+"/ui", nil)
	require.NoError(t, err)
	res, err := http.DefaultTransport.RoundTrip(req) // not following the redirect
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMovedPermanently, res.StatusCode)
	assert.Equal(t, "/ui/", res.Header.Get("Location"))
	status, _, _ = f.get(t, "/ui/missing.js")
	assert.Equal(t, http.StatusNotFound, status)
	for _, p := range []string{"/uix", "/api/v1/tiers", "/metrics"} {
		status, _, _ = f.get(t, p)
		assert.Equal(t, http.StatusUnauthorized, status, p)
	}
	assert.Contains(t, f.log.String(), `"route":"/ui/*path","path":"/ui/","status":200`, "assets are logged like any request")
	assert.Contains(t, f.log.String(), `"route":"/ui","path":"/ui","status":301`)
	_, _, body = f.get(t, "/metrics", "Authorization", "Bearer the-token")
	assert.Contains(t, string(body), `secretsctl_http_requests_total{code="200",method="GET",route="/ui/*path"} 1`)
}

// test that the query routes answer with what the CLI's packages compute.
func TestQueries(t *testing.T) {
	f := newFixture(t, api.Options{})
	for _, p := range []string{"/api/v1/scenarios", "/api/v1/scenarios/picker-wheel", "/api/v1/tiers",
		"/api/v1/resources", "/api/v1/coverage", "/api/v1/coverage?scenario=picker-wheel&tier=2",
		"/api/v1/gaps", "/api/v1/gaps?tier=desktop", "/api/v1/revisions", "/healthz", "/readyz", "/openapi.json"} {
		status, _, body := f.get(t, p)
		assert.Equal(t, http.StatusOK, status, "%s: %s", p, truncate(body))
		assert.True(t, json.Valid(body), p)
	}
	_, _, body := f.get(t, "/api/v1/scenarios")
	assert.Contains(t, string(body), `"name": "picker-wheel"`)
	_, _, body = f.get(t, "/api/v1/gaps")
	assert.Contains(t, string(body), "n8n/WEBHOOK_URL")
	_, _, body = f.get(t, "/api/v1/coverage?scenario=picker-wheel&tier=2")
	var cov struct {
		Rows []struct{ Scenario, Tier string }
	}
	require.NoError(t, json.Unmarshal(body, &cov))
	require.Len(t, cov.Rows, 1)
	assert.Equal(t, "tier-2-desktop", cov.Rows[0].Tier)

	storetest.Git(t, f.dir, "tag", "v1")
	_, _, body = f.get(t, "/api/v1/revisions")
	var refs store.Refs
	require.NoError(t, json.Unmarshal(body, &refs))
	assert.Equal(t, "main", refs.Branch)
	require.Len(t, refs.Tags, 1)
	assert.Equal(t, refs.Head.Hash, refs.Tags[0].Commit)

	status, _, body := f.get(t, "/api/v1/plan-diff?base=v1&head=main")
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, string(body), `"plans": []`)

	_, _, body = f.get(t, "/metrics")
	assert.Contains(t, string(body), `secretsctl_http_requests_total{code="200",method="GET",route="/api/v1/gaps"}`)
	assert.Contains(t, string(body), `secretsctl_cache_lookups_total`)
}

// test that the log has one JSON line per request and no token or body.
func TestRequestLog(t *testing.T) {
	f := newFixture(t, api.Options{})
	f.get(t, "/deployment/secrets?scenario=picker-wheel&tier=desktop", "X-Canary", "canary-header-value")
	f.do(t, http.MethodPost, "/api/v1/deployment/secrets", strings.NewReader(`{"scenario":"picker-wheel","tier":"2","x":"canary-body-value"}`))
	// The line is written after the answer; wait for both.
	require.Eventually(t, func() bool { return strings.Count(f.log.String(), "\n") == 2 }, 5*time.Second, 10*time.Millisecond)
	lines := strings.Split(strings.TrimSpace(f.log.String()), "\n")
	for _, l := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec))
		assert.Equal(t, "request", rec["msg"])
		assert.EqualValues(t, 200, rec["status"])
		assert.NotEmpty(t, rec["revision"])
	}
	assert.NotContains(t, f.log.String(), "canary")
}

// test that GET /api/v1/deployments lists the ledger's deployments at a
// glance, follows a new issue without a restart, and never carries a value
// or fingerprint.
func TestDeployments(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", storetest.DemoKeyFile())
	f := newFixture(t, api.Options{})
	status, _, body := f.get(t, "/api/v1/deployments")
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Contains(t, string(body), `"deployments": []`)

	w := &ledger.Writer{Store: f.st}
	out := t.TempDir()
	res, err := w.Issue(t.Context(), ledger.IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: "acme", Out: out})
	require.NoError(t, err)
	require.True(t, res.Committed)
	sn, err := f.st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	d, err := ledger.Reader{Snapshot: sn, Mode: ledger.Verified, Now: time.Now()}.Deployment("picker-wheel", "acme")
	require.NoError(t, err)

	// The server sees the new HEAD within its 10 ms freshness window.
	require.Eventually(t, func() bool {
		_, _, body = f.get(t, "/api/v1/deployments?scenario=picker-wheel")
		return strings.Contains(string(body), `"deployment": "acme"`)
	}, 5*time.Second, 20*time.Millisecond)
	var got struct {
		Deployments []ledger.Summary `json:"deployments"`
	}
	require.NoError(t, json.Unmarshal(body, &got))
	require.Len(t, got.Deployments, 1)
	assert.Equal(t, "tier-4-saas", got.Deployments[0].Tier)
	assert.Equal(t, len(d.Active()), got.Deployments[0].Active)
	assert.Positive(t, got.Deployments[0].Active)
	for _, v := range d.Active() {
		assert.NotContains(t, string(body), v.Fingerprint)
	}
	// Every value the bundle received (its rendered NAME=value lines).
	var values int
	require.NoError(t, filepath.WalkDir(out, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		for line := range strings.Lines(string(data)) {
			if _, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && len(v) >= 8 {
				values++
				assert.NotContains(t, string(body), strings.Trim(v, `"'`))
			}
		}
		return err
	}))
	assert.Positive(t, values, "the bundle has values to look for")

	status, _, body = f.get(t, "/api/v1/deployments?scenario=../etc")
	assert.Equal(t, http.StatusBadRequest, status)
	errorCode(t, body)
}

// test that Warm puts the coverage matrix at HEAD in the answer cache: the
// first GET is a cache hit, with the same bytes a cold server computes.
func TestWarmCoverage(t *testing.T) {
	warm := newFixture(t, api.Options{})
	require.NoError(t, warm.srv.Warm(t.Context()))
	status, _, body := warm.get(t, "/api/v1/coverage")
	require.Equal(t, http.StatusOK, status, "%s", body)
	_, _, metrics := warm.get(t, "/metrics")
	assert.Contains(t, string(metrics), `secretsctl_cache_lookups_total{result="hit"} 1`)
	assert.NotContains(t, string(metrics), `secretsctl_cache_lookups_total{result="miss"}`)

	cold := newFixture(t, api.Options{})
	_, _, coldBody := cold.get(t, "/api/v1/coverage")
	assert.Equal(t, string(coldBody), string(body))
}
