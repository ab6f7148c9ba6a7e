package docschema

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const header = `"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/x.schema.json"`

func compile(t *testing.T, body string) *Schema {
	t.Helper()
	s, err := Compile([]byte(`{` + header + `, ` + body + `}`))
	require.NoError(t, err)
	return s
}

func TestCompileRefusesWhatItDoesNotImplement(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown keyword":  `{` + header + `, "oneOf": [{"type": "string"}]}`,
		"nested unknown":   `{` + header + `, "properties": {"a": {"minLength": 1}}}`,
		"other draft":      `{"$schema": "http://json-schema.org/draft-07/schema#"}`,
		"no draft":         `{"type": "object"}`,
		"remote ref":       `{` + header + `, "$ref": "https://example.com/other.json"}`,
		"missing def":      `{` + header + `, "$ref": "#/$defs/Nope"}`,
		"bad pattern":      `{` + header + `, "pattern": "("}`,
		"bad type":         `{` + header + `, "type": "integr"}`,
		"nested $defs":     `{` + header + `, "properties": {"a": {"$defs": {}}}}`,
		"not json":         `{`,
		"schema not a map": `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Compile([]byte(doc))
			assert.Error(t, err)
		})
	}
}

func TestValidateReportsLeavesWithLocations(t *testing.T) {
	s := compile(t, `"$defs": {"Item": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 4096}},
		"additionalProperties": false, "required": ["n"]}},
		"type": "object", "required": ["version", "items"], "additionalProperties": false,
		"properties": {"version": {"type": "integer", "enum": [1]}, "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
		"name": {"type": "string", "pattern": "^[a-z]+$"}, "any": true, "never": false,
		"labels": {"type": "object", "additionalProperties": {"type": "string"}}}`)
	decode := func(doc string) any {
		var v any
		d := json.NewDecoder(strings.NewReader(doc))
		d.UseNumber()
		require.NoError(t, d.Decode(&v))
		return v
	}
	tests := []struct {
		doc  string
		want []Error
	}{
		{`{"version": 1, "items": [{"n": 1}, {"n": 4096}], "name": "ok", "any": {"x": [1]}, "labels": {"a": "b"}}`, nil},
		{`{"version": 1.0, "items": []}`, nil}, // 1.0 is an integer
		{`{"version": 2, "items": []}`, []Error{{[]string{"version"}, "value must be 1"}}},
		{`{"version": "1", "items": []}`, []Error{{[]string{"version"}, "got string, want integer"}}},
		{`{"version": 1.5, "items": []}`, []Error{{[]string{"version"}, "got number, want integer"}}},
		{`{"items": []}`, []Error{{nil, "missing property 'version'"}}},
		{`{}`, []Error{{nil, "missing properties 'version', 'items'"}}},
		{`{"version": 1, "items": [], "b": 1, "a": 2}`, []Error{{nil, "additional properties 'a', 'b' not allowed"}}},
		{`{"version": 1, "items": [{"n": 0}, {"n": 5000}, {}]}`, []Error{
			{[]string{"items", "0", "n"}, "minimum: got 0, want 1"},
			{[]string{"items", "1", "n"}, "maximum: got 5000, want 4096"},
			{[]string{"items", "2"}, "missing property 'n'"},
		}},
		{`{"version": 1, "items": [], "name": "it's \"Bad\""}`, []Error{{[]string{"name"}, `'it\'s "Bad"' does not match pattern '^[a-z]+$'`}}},
		{`{"version": 1, "items": [], "never": null}`, []Error{{[]string{"never"}, "false schema"}}},
		{`{"version": 1, "items": [], "labels": {"a": 1}}`, []Error{{[]string{"labels", "a"}, "got number, want string"}}},
		{`[]`, []Error{{nil, "got array, want object"}}},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			assert.Equal(t, tt.want, s.Validate(decode(tt.doc)))
		})
	}
}

func TestEnumOfStringsIsListed(t *testing.T) {
	s := compile(t, `"enum": ["a", "b"]`)
	assert.Equal(t, []Error{{nil, "value must be one of 'a', 'b'"}}, s.Validate("c"))
	assert.Nil(t, s.Validate("b"))
}

// BenchmarkCompile compiles the checked-in schemas the run path reads.
func BenchmarkCompile(b *testing.B) {
	var schemas [][]byte
	for _, k := range []string{"config", "resource", "scenario", "vault"} {
		data, err := os.ReadFile("../../../jsonschema/" + k + ".schema.json")
		require.NoError(b, err)
		schemas = append(schemas, data)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, data := range schemas {
			if _, err := Compile(data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
