package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/secretsctl/secretsctl/internal/api"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// FuzzRequest sends arbitrary methods, paths, queries and bodies through the
// whole router over a real store: the answer is never a 5xx and an error is
// always JSON {"error","code"}.
func FuzzRequest(f *testing.F) {
	dir := storetest.NewExample(f)
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	srv := api.New(api.Options{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	f.Add("GET", "/deployment/secrets", "scenario=picker-wheel&tier=desktop", "")
	f.Add("GET", "/api/v1/deployment/secrets/picker-wheel", "tier=2&include_optional=false", "")
	f.Add("POST", "/api/v1/deployment/secrets", "", `{"scenario":"picker-wheel","tier":"desktop","resources":["postgres"]}`)
	f.Add("POST", "/api/v1/deployment/readiness", "rev=HEAD", `{"scenario":"agent-inbox","tier":"saas"}`)
	f.Add("GET", "/api/v1/plans/../desktop", "rev=HEAD~1", "")
	f.Add("GET", "/api/v1/coverage", "scenario=%ff&tier=moon", "")
	f.Add("GET", "/api/v1/plan-diff", "base=HEAD&head=main", "")
	f.Add("DELETE", "/api/v1/scenarios/picker-wheel", "", "")
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://127.0.0.1"+path+"?"+query, strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s: %d %s", method, path, query, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 {
			var e api.Error
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Error == "" {
				t.Fatalf("%s %s?%s: %d with a body that is not a JSON error: %q", method, path, query, rec.Code, rec.Body.String())
			}
		}
	})
}
