package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

func TestNormalizeSourcesFillsDefaults(t *testing.T) {
	got, err := store.NormalizeSources("secretsctl.yaml", "sources", []store.SourceSpec{
		{Kind: store.SourceFilesystem},
		{Kind: store.SourceDotenv, Path: ".env"},
		{Kind: store.SourceHashiCorpVault, Mount: "/kv/"},
	})
	require.NoError(t, err)
	assert.Equal(t, []store.SourceSpec{
		{Name: "filesystem", Kind: store.SourceFilesystem, Scope: "local"},
		{Name: "dotenv", Kind: store.SourceDotenv, Path: ".env", RelativeTo: "store"},
		{Name: "hashicorp-vault", Kind: store.SourceHashiCorpVault, Mount: "kv", Path: "{resource}/{key}", Field: "value"},
	}, got)
}

func TestNormalizeSourcesErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     []store.SourceSpec
		field  string
		reason string
	}{
		{"duplicate names", []store.SourceSpec{{Kind: store.SourceFilesystem}, {Kind: store.SourceFilesystem, Scope: "x"}}, "sources[1].name", `duplicate source name "filesystem"`},
		{"dotenv without path", []store.SourceSpec{{Kind: store.SourceDotenv}}, "sources[0]", "a dotenv source needs a path"},
		{"misplaced field", []store.SourceSpec{{Kind: store.SourceFilesystem, Address: "http://x"}}, "sources[0]", "does not apply to a filesystem source"},
		{"unknown placeholder", []store.SourceSpec{{Kind: store.SourceHashiCorpVault, Path: "{team}/{key}"}}, "sources[0]", "unknown placeholder {team}"},
		{"unknown kind", []store.SourceSpec{{Kind: "aws"}}, "sources[0]", `unknown source kind "aws"`},
		{"bad name", []store.SourceSpec{{Name: "Bad Name", Kind: store.SourceFilesystem}}, "sources[0].name", "invalid source name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.NormalizeSources("secretsctl.yaml", "sources", tt.in)
			var de *store.DocumentError
			require.True(t, errors.As(err, &de), "%v", err)
			assert.Equal(t, tt.field, de.Field)
			assert.Contains(t, de.Reason, tt.reason)
		})
	}
}

func TestConfigWithSourcesDecodes(t *testing.T) {
	var c store.Config
	require.NoError(t, store.DecodeDocument("secretsctl.yaml", []byte(`version: 1
sources:
  - kind: hashicorp-vault
    path: secret/data/{resource}/{key}
    optional: true
`), &c))
	require.Len(t, c.Sources, 1)
	assert.True(t, c.Sources[0].Optional)
	err := store.DecodeDocument("secretsctl.yaml", []byte("version: 1\nsources:\n  - kind: nope\n"), &c)
	assert.ErrorContains(t, err, "sources[0].kind")
}

func TestVaultPrintsRedacted(t *testing.T) {
	v := store.Vault{Scope: "local", Values: map[string]string{"a/B": "canary-41d"}}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, sprintf(f, v), "canary-41d")
		assert.NotContains(t, sprintf(f, &v), "canary-41d")
	}
}

func sprintf(format string, v any) string { return fmt.Sprintf(format, v) }
