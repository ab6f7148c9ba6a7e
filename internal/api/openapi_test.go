package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/api"
)

// test that openapi.json and the router agree: every route is documented,
// and every documented path and method is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t, api.Options{})
	// the routes, read before the first request (which has gin update its
	// trees, unsynchronised with Routes)
	param := regexp.MustCompile(`:([a-z_]+)`)
	served := map[string]bool{}
	for _, r := range f.srv.Engine().Routes() {
		key := r.Method + " " + param.ReplaceAllString(r.Path, "{$1}")
		served[key] = true
	}
	status, _, body := f.get(t, "/openapi.json")
	require.Equal(t, http.StatusOK, status)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(body, &doc))
	assert.Equal(t, "3.1.0", doc.OpenAPI)

	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for k := range served {
		assert.True(t, documented[k], "route %s is not in openapi.json", k)
	}
	for k := range documented {
		assert.True(t, served[k], "openapi.json documents %s, which is not served", k)
	}
	assert.GreaterOrEqual(t, len(served), 17)

	// Each documented GET path answers (not 404/405) once its parameters
	// are filled in.
	for k := range documented {
		method, path, _ := strings.Cut(k, " ")
		if method != http.MethodGet {
			continue
		}
		path = strings.NewReplacer("{scenario}", "picker-wheel", "{name}", "picker-wheel", "{tier}", "desktop").Replace(path)
		status, _, _ := f.get(t, path)
		assert.False(t, slices.Contains([]int{404, 405}, status), "%s answers %d", path, status)
	}
}
