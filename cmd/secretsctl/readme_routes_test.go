package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeListsEveryRoute checks that the README's route table names
// every method and path the OpenAPI document lists.
func TestReadmeListsEveryRoute(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	doc, err := os.ReadFile(filepath.Join(root, "internal", "api", "openapi.json"))
	require.NoError(t, err)
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(doc, &spec))
	require.NotEmpty(t, spec.Paths)
	for path, ops := range spec.Paths {
		for method := range ops {
			route := regexp.QuoteMeta(strings.ToUpper(method)+" "+path) + "[?` ]"
			assert.Regexp(t, route, string(readme), "README documents %s %s", strings.ToUpper(method), path)
		}
	}
}
