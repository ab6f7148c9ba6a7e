package importer

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResourceUses(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       map[string]bool
	}{
		{"keyed by name", `{"postgres": {"required": true}, "redis": {"required": false}, "qdrant": {}}`,
			map[string]bool{"postgres": false, "redis": true, "qdrant": false}},
		{"grouped lists", `{"required": ["postgres", {"name": "qdrant"}], "optional": ["redis"], "details": {"redis": {"purpose": "cache"}}}`,
			map[string]bool{"postgres": false, "qdrant": false, "redis": true}},
		{"grouped objects (calendar)", `{"required": {"postgres": {"database": "calendar"}}, "optional": {"scenario-authenticator": {"purpose": "users"}}}`,
			map[string]bool{"postgres": false, "scenario-authenticator": true}},
		{"required anywhere wins", `{"required": ["redis"], "optional": ["redis", "ollama"]}`,
			map[string]bool{"redis": false, "ollama": true}},
		{"empty groups", `{"required": [], "optional": ["browserless"]}`, map[string]bool{"browserless": true}},
		{"a resource called required, with settings", `{"required": {"type": "custom", "required": false}}`,
			map[string]bool{"required": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var raw map[string]json.RawMessage
			require.NoError(t, json.Unmarshal([]byte(tc.json), &raw))
			got, err := resourceUses(raw)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestResourceUsesRejectsNamelessItem(t *testing.T) {
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(`{"required": [{"purpose": "no name"}]}`), &raw))
	_, err := resourceUses(raw)
	assert.ErrorContains(t, err, "dependencies.resources.required: an item is neither a name nor an object with a name")
}

func TestNormalName(t *testing.T) {
	for in, want := range map[string]string{
		"resource-claude-code": "claude-code",
		"unstructured_io":      "unstructured-io",
		"Resource-OpenRouter":  "openrouter",
		"postgres":             "postgres",
		"scenario-auditor":     "scenario-auditor",
	} {
		assert.Equal(t, want, NormalName(in), in)
	}
}

// FuzzResourceUses: a service.json's dependencies.resources never panics
// the reader, which answers the same way every time (map order must not
// leak into optionality).
func FuzzResourceUses(f *testing.F) {
	for _, seed := range []string{`{"postgres": {"required": true}}`, `{"required": ["a", {"name": "b"}], "optional": {"c": {}}}`,
		`{"required": {"type": "x"}}`, `{"details": {}, "optional": [1]}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var raw map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &raw) != nil {
			return
		}
		uses, err := resourceUses(raw)
		if err != nil {
			return
		}
		for range 3 {
			again, err := resourceUses(raw)
			require.NoError(t, err)
			require.Equal(t, uses, again)
		}
	})
}
