package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/api"
	"github.com/secretsctl/secretsctl/store"
)

// requireSecret commits the example store with resource/key made required.
// n8n/WEBHOOK_URL has no strategy on tier-2-desktop, so that makes
// picker-wheel's desktop plan blocked by a required secret.
func requireSecret(t *testing.T, f *fixture, resource, key string) {
	t.Helper()
	sn, err := f.st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	res, err := sn.Resource(resource)
	require.NoError(t, err)
	found := false
	for i := range res.Secrets {
		if res.Secrets[i].Key == key {
			require.False(t, res.Secrets[i].Required, "%s/%s is optional in the example store", resource, key)
			res.Secrets[i].Required, found = true, true
		}
	}
	require.True(t, found, "%s/%s", resource, key)
	_, _, err = f.st.Commit(context.Background(), store.Change{
		Documents: map[string]any{"resources/" + resource + ".yaml": res},
		Message:   store.Message{Subject: "require " + resource + "/" + key, Action: "test"},
		Author:    store.Author{Name: "test", Email: "test@example.com"}})
	require.NoError(t, err)
}

// dmFetch is deployment-manager's fetch of a plan: it decodes
// bundle_secrets from a 200 and turns any other answer into an error
// carrying the server's message, as its bundle assembly does.
func dmFetch(url string) (*dmManifest, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e api.Error
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			return nil, fmt.Errorf("secrets-manager: HTTP %d", resp.StatusCode)
		}
		return nil, fmt.Errorf("secrets-manager: HTTP %d %s: %s", resp.StatusCode, e.Code, e.Error)
	}
	var m dmManifest
	return &m, json.NewDecoder(resp.Body).Decode(&m)
}

func bundleIDs(m *dmManifest) []string {
	var ids []string
	for _, bs := range m.BundleSecrets {
		ids = append(ids, bs.ID)
	}
	return ids
}

// test that an optional blocking secret stays out of bundle_secrets with a
// 200, everywhere, and that readiness says not ready but not blocked.
func TestOptionalBlockingSecretIs200(t *testing.T) {
	f := newFixture(t, api.Options{})
	const q = "/api/v1/deployment/secrets/picker-wheel?tier=tier-2-desktop&include_optional=true"
	m, err := dmFetch(f.url + q)
	require.NoError(t, err)
	assert.NotEmpty(t, m.BundleSecrets)
	assert.NotContains(t, bundleIDs(m), "n8n/WEBHOOK_URL")

	_, _, seed := f.get(t, "/deployment/secrets?scenario=picker-wheel&tier=desktop")
	assert.NotContains(t, topLevel(t, seed), "blocked", "not blocked: the seed route serves the plan's bytes")
	assert.Contains(t, string(topLevel(t, seed)["summary"]), `"n8n:WEBHOOK_URL"`, "the summary lists the optional blocking secret")

	r := readiness(t, f, `{"scenario":"picker-wheel","tier":"desktop"}`)
	assert.False(t, r.Ready, "a secret blocks")
	assert.False(t, r.Blocked, "but no required one")
	require.Len(t, r.Blocking, 1)
	assert.Equal(t, api.BlockingSecret{ID: "n8n/WEBHOOK_URL", Required: false, Code: "missing-strategy",
		Reason: "no strategy declared for tier-2-desktop"}, r.Blocking[0])
}

// test that a required blocking secret gives 409 plan_blocked naming it, on
// the GET and the POST route; that allow_blocking=true gives the manifest;
// that the seed route gives 200 with "blocked": true; and that readiness
// says blocked.
func TestRequiredBlockingSecretIs409(t *testing.T) {
	f := newFixture(t, api.Options{})
	requireSecret(t, f, "n8n", "WEBHOOK_URL")

	const path = "/api/v1/deployment/secrets/picker-wheel?tier=tier-2-desktop"
	status, hdr, body := f.get(t, path)
	require.Equal(t, http.StatusConflict, status, "%s", body)
	assert.Equal(t, "application/json; charset=utf-8", hdr.Get("Content-Type"))
	var e api.Error
	require.NoError(t, json.Unmarshal(body, &e))
	assert.Equal(t, "plan_blocked", e.Code)
	assert.Contains(t, e.Error, "required secret n8n/WEBHOOK_URL (missing-strategy: no strategy declared for tier-2-desktop) blocks the plan")
	require.NotNil(t, e.Summary)
	assert.Equal(t, []string{"n8n:WEBHOOK_URL"}, e.Summary.BlockingSecrets)
	assert.Equal(t, []api.BlockingSecret{{ID: "n8n/WEBHOOK_URL", Required: true, Code: "missing-strategy",
		Reason: "no strategy declared for tier-2-desktop"}}, e.Blocking)

	status, _, posted := f.do(t, http.MethodPost, "/api/v1/deployment/secrets",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"2","include_optional":false}`))
	assert.Equal(t, http.StatusConflict, status, "the POST form, required secrets only")
	assert.Equal(t, string(body), string(posted))

	status, _, allowed := f.get(t, path+"&allow_blocking=true")
	require.Equal(t, http.StatusOK, status, "%s", allowed)
	var m store.Manifest
	require.NoError(t, json.Unmarshal(allowed, &m))
	assert.Equal(t, []string{"n8n:WEBHOOK_URL"}, m.Summary.BlockingSecrets)
	assert.NotContains(t, topLevel(t, allowed), "blocked")
	status, _, _ = f.do(t, http.MethodPost, "/api/v1/deployment/secrets?allow_blocking=true",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"2"}`))
	assert.Equal(t, http.StatusOK, status, "allow_blocking in the query of the POST form")
	status, _, _ = f.do(t, http.MethodPost, "/api/v1/deployment/secrets",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"2","allow_blocking":true}`))
	assert.Equal(t, http.StatusOK, status, "allow_blocking in the body")
	status, _, bad := f.get(t, path+"&allow_blocking=maybe")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "invalid_parameter", errorCode(t, bad))

	status, _, seed := f.get(t, "/deployment/secrets?scenario=picker-wheel&tier=desktop")
	require.Equal(t, http.StatusOK, status, "the seed route previews")
	top := topLevel(t, seed)
	assert.JSONEq(t, "true", string(top["blocked"]))
	assert.Contains(t, string(top["summary"]), `"n8n:WEBHOOK_URL"`)

	status, _, plan := f.get(t, "/api/v1/plans/picker-wheel/desktop")
	assert.Equal(t, http.StatusOK, status, "the dashboard's plan route shows it")
	assert.Equal(t, string(allowed), string(plan))

	r := readiness(t, f, `{"scenario":"picker-wheel","tier":"desktop"}`)
	assert.False(t, r.Ready)
	assert.True(t, r.Blocked)
	require.Len(t, r.Blocking, 1)
	assert.True(t, r.Blocking[0].Required)
}

// test that a resources filter leaving out the blocking secret's resource
// assembles: the bundle asked for does not need it.
func TestBlockedOnlyForTheResourcesAsked(t *testing.T) {
	f := newFixture(t, api.Options{})
	requireSecret(t, f, "n8n", "WEBHOOK_URL")
	status, _, body := f.do(t, http.MethodPost, "/api/v1/deployment/secrets",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"desktop","resources":["postgres"]}`))
	assert.Equal(t, http.StatusOK, status, "%s", body)
	status, _, body = f.do(t, http.MethodPost, "/api/v1/deployment/secrets",
		strings.NewReader(`{"scenario":"picker-wheel","tier":"desktop","resources":["n8n"]}`))
	assert.Equal(t, http.StatusConflict, status, "%s", body)
	r := readiness(t, f, `{"scenario":"picker-wheel","tier":"desktop","resources":["postgres"]}`)
	assert.False(t, r.Blocked, "readiness follows the same rule")
	assert.False(t, r.Ready, "yet a secret of the plan blocks")
}

func readiness(t *testing.T, f *fixture, req string) api.Readiness {
	t.Helper()
	status, _, body := f.do(t, http.MethodPost, "/api/v1/deployment/readiness", strings.NewReader(req))
	require.Equal(t, http.StatusOK, status, "%s", body)
	var r api.Readiness
	require.NoError(t, json.Unmarshal(body, &r))
	return r
}

// topLevel decodes a JSON object's top-level fields.
func topLevel(t *testing.T, body []byte) map[string]json.RawMessage {
	t.Helper()
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &top))
	return top
}

// test that openapi.json documents the 409 and allow_blocking on both
// deployment routes, "blocked" on the seed route, and readiness's fields.
func TestOpenAPIDocumentsPlanBlocked(t *testing.T) {
	f := newFixture(t, api.Options{})
	status, _, body := f.get(t, "/openapi.json")
	require.Equal(t, http.StatusOK, status)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Ref string `json:"$ref"`
			} `json:"parameters"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
			Parameters map[string]struct {
				Name string `json:"name"`
			} `json:"parameters"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(body, &doc))
	for _, op := range []struct{ path, method string }{
		{"/api/v1/deployment/secrets/{scenario}", "get"}, {"/api/v1/deployment/secrets", "post"}} {
		o := doc.Paths[op.path][op.method]
		assert.Contains(t, string(o.Responses["409"]), "PlanBlocked", op.path)
		var refs []string
		for _, p := range o.Parameters {
			refs = append(refs, p.Ref)
		}
		assert.Contains(t, refs, "#/components/parameters/AllowBlocking", op.path)
	}
	assert.Equal(t, "allow_blocking", doc.Components.Parameters["AllowBlocking"].Name)
	assert.Contains(t, string(doc.Paths["/deployment/secrets"]["get"].Responses["200"]), `"blocked"`)
	assert.NotContains(t, doc.Paths["/deployment/secrets"]["get"].Responses, "409", "the seed route previews")
	for _, k := range []string{"ready", "blocked", "blocking"} {
		assert.Contains(t, doc.Components.Schemas["Readiness"].Properties, k)
	}
	for _, k := range []string{"summary", "blocking"} {
		assert.Contains(t, doc.Components.Schemas["Error"].Properties, k)
	}
	assert.Contains(t, doc.Components.Schemas["ManifestRequest"].Properties, "allow_blocking")
}
