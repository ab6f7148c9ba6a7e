package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

const validResource = `version: 1
name: redis
secrets:
  - key: REDIS_PASSWORD
    classification: infrastructure
    strategies:
      tier-1-local:
        strategy: generate
        generator:
          type: hex
          bytes: 24
`

func TestDecodeDocumentValid(t *testing.T) {
	var r store.Resource
	require.NoError(t, store.DecodeDocument("resources/redis.yaml", []byte(validResource), &r))
	assert.Equal(t, "redis", r.Name)
	require.Len(t, r.Secrets, 1)
	st := r.Secrets[0].Strategies["tier-1-local"]
	assert.Equal(t, store.Generate, st.Strategy)
	assert.Equal(t, 24, st.Generator.Bytes)
}

func TestDecodeDocumentErrors(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		field  string
		line   int
		reason string
	}{
		{"malformed yaml", "version: 1\nname: redis\n  bad: indent\n", "", 3, "malformed YAML"},
		{"empty", "", "", 0, "empty document"},
		{"unknown strategy", `version: 1
name: redis
secrets:
  - key: A
    strategies:
      local:
        strategy: stripp
`, "secrets[0].strategies.local.strategy", 7, "strip"},
		{"unknown generator", `version: 1
name: redis
secrets:
  - key: A
    strategies:
      local:
        strategy: generate
        generator: {type: magic}
`, "secrets[0].strategies.local.generator.type", 8, "random"},
		{"unknown field", "version: 1\nname: redis\nsecrets: []\nsecretz: []\n", "", 1, "secretz"},
		{"missing required", "version: 1\nsecrets: []\n", "", 1, "name"},
		{"wrong type", "version: 1\nname: redis\nsecrets:\n  - key: A\n    required: maybe\n", "secrets[0].required", 5, "boolean"},
		{"bad version", "version: 2\nname: redis\nsecrets: []\n", "version", 1, "1"},
		{"bad key", "version: 1\nname: redis\nsecrets:\n  - key: 'has space'\n", "secrets[0].key", 4, "pattern"},
		{"alias", "version: 1\nname: &n redis\ndescription: *n\nsecrets: []\n", "description", 3, "aliases"},
		{"two documents", "version: 1\nname: redis\nsecrets: []\n---\nversion: 1\n", "", 4, "more than one YAML document"},
		{"duplicate key", "version: 1\nname: redis\nname: again\nsecrets: []\n", "", 3, "duplicate key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r store.Resource
			err := store.DecodeDocument("resources/redis.yaml", []byte(tt.doc), &r)
			var de *store.DocumentError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "resources/redis.yaml", de.File)
			assert.Equal(t, tt.field, de.Field)
			assert.Equal(t, tt.line, de.Line)
			assert.Contains(t, de.Reason, tt.reason)
			assert.Contains(t, err.Error(), "resources/redis.yaml")
		})
	}
}

func TestSchemasUpToDate(t *testing.T) {
	t.Chdir(storetest.Root())
	for _, k := range store.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			want, err := store.SchemaJSON(k, store.SchemaOptions{SourceDir: "."})
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join("jsonschema", string(k)+".schema.json"))
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got), "jsonschema/%s.schema.json is stale: run `make generate`", k)
		})
	}
}

func TestEncodeYAMLRoundTrip(t *testing.T) {
	var r store.Resource
	require.NoError(t, store.DecodeDocument("r.yaml", []byte(validResource), &r))
	r.Secrets[0].Description = "1" // a string that looks like a number stays a string
	out, err := store.EncodeYAML(&r)
	require.NoError(t, err)
	var back store.Resource
	require.NoError(t, store.DecodeDocument("r.yaml", out, &back))
	assert.Equal(t, r, back)
}

func FuzzDecodeResource(f *testing.F) {
	f.Add([]byte(validResource))
	f.Add([]byte("version: 1\nname: x\nsecrets: [{key: A, strategies: {2: {strategy: prompt, prompt: {label: L}}}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r store.Resource
		err := store.DecodeDocument("resources/x.yaml", data, &r)
		var de *store.DocumentError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error is not a DocumentError: %v", err)
		}
	})
}

func FuzzDecodeScenario(f *testing.F) {
	f.Add([]byte("version: 1\nname: s\nresources: [{name: redis}]\noverrides: {redis/A: {desktop: {strategy: strip, reason: r}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var sc store.Scenario
		err := store.DecodeDocument("scenarios/s.yaml", data, &sc)
		var de *store.DocumentError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error is not a DocumentError: %v", err)
		}
	})
}

func FuzzDecodeConfig(f *testing.F) {
	f.Add([]byte("version: 1\ntiers: [{id: tier-6-kiosk, aliases: [kiosk], ships_to_end_users: true}]\npolicy: {defaults: {infrastructure: {desktop: {strategy: strip}}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c store.Config
		err := store.DecodeDocument("secretsctl.yaml", data, &c)
		var de *store.DocumentError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("error is not a DocumentError: %v", err)
		}
	})
}
