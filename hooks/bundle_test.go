package hooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store"
)

func bundled(id string, g store.Generator, targets ...store.Target) store.ManifestSecret {
	res, key, _ := strings.Cut(id, "/")
	return store.ManifestSecret{ID: id, ResourceName: res, SecretKey: key, Classification: store.Service,
		HandlingStrategy: store.Generate, GenerateAt: store.AtBundle, GeneratorTemplate: &g, Targets: targets}
}

// targetManifest has one target of every kind and format.
func targetManifest() *store.Manifest {
	pem := `{{ .Value }}`
	return &store.Manifest{Scenario: "shop", Tier: "enterprise", TierID: "enterprise", Secrets: []store.ManifestSecret{
		bundled("postgres/POSTGRES_PASSWORD", store.Generator{Type: "password", Length: 16, Weak: true},
			store.Target{Type: "env", Name: "POSTGRES_PASSWORD"},
			store.Target{Type: "config", Path: "config/app.json", Format: "json", Key: "database.password"},
			store.Target{Type: "config", Path: "config/app.yaml", Format: "yaml", Key: "database.password"},
			store.Target{Type: "config", Path: "config/app.toml", Format: "toml", Key: "database.password"},
			store.Target{Type: "config", Path: "config/db.env", Format: "dotenv", Key: "PGPASSWORD"}),
		bundled("postgres/POSTGRES_DB", store.Generator{Type: "random", Length: 8, Charset: "lower", Weak: true}),
		bundled("shop/DATABASE_URL", store.Generator{Type: "derived",
			Template: `postgres://app:{{ .POSTGRES_PASSWORD | urlquery }}@db/{{ .POSTGRES_DB }}?app={{ deployment }}`},
			store.Target{Type: "env", Name: "DATABASE_URL"},
			store.Target{Type: "config", Path: "config/app.json", Format: "json", Key: "database.url"},
			store.Target{Type: "config", Path: "config/app.yaml", Format: "yaml", Key: "database.url"},
			store.Target{Type: "config", Path: "config/app.toml", Format: "toml", Key: "database.url"}),
		bundled("shop/TLS", store.Generator{Type: "tls-cert", Hosts: []string{"shop.local"}},
			store.Target{Type: "file", Path: "tls/shop.pem", Mode: "0640", Template: pem},
			store.Target{Type: "env", Path: "tls/tls.env", Name: "TLS_BUNDLE"}),
		bundled("shop/SESSION_KEY", store.Generator{Type: "hex", Bytes: 16},
			store.Target{Type: "file", Path: "session.conf", Template: "# session key for {{ deployment }}\nkey = {{ .SESSION_KEY }}\n"}),
		{ID: "shop/API_TOKEN", SecretKey: "API_TOKEN", HandlingStrategy: store.Prompt,
			Targets: []store.Target{{Type: "env", Name: "API_TOKEN"}}},
	}}
}

// TestBundleGolden renders every target kind and format from a fixed
// stream and compares each file with testdata/golden/bundle.
func TestBundleGolden(t *testing.T) {
	b, err := CreateBundle(targetManifest(), "acme-1", nil, fixedOptions(t))
	require.NoError(t, err)
	assert.Len(t, b.Values, 5, "the prompted secret has no value at bundle time")
	assert.NotContains(t, b.Values, "shop/API_TOKEN")
	dir := t.TempDir()
	require.NoError(t, b.WriteDir(dir))
	var paths []string
	for _, f := range b.Files {
		paths = append(paths, f.Path)
		got, err := os.ReadFile(filepath.Join(dir, f.Path))
		require.NoError(t, err)
		assert.Equal(t, f.Content(), got)
		golden(t, "bundle/"+f.Path, got)
		info, err := os.Stat(filepath.Join(dir, f.Path))
		require.NoError(t, err)
		assert.Equal(t, f.Mode, info.Mode().Perm(), f.Path)
	}
	assert.Equal(t, []string{".env", "config/app.json", "config/app.toml", "config/app.yaml", "config/db.env",
		"session.conf", "tls/shop.pem", "tls/tls.env"}, paths)
	assert.Equal(t, os.FileMode(0o640), b.Files[6].Mode)
	assert.Equal(t, os.FileMode(0o600), b.Files[0].Mode)

	// Every format reads back to the values.
	pw := b.Values["postgres/POSTGRES_PASSWORD"].Reveal()
	var j struct {
		Database struct{ Password, URL string }
	}
	require.NoError(t, json.Unmarshal(b.Files[1].Content(), &j))
	assert.Equal(t, pw, j.Database.Password)
	var tm, ym map[string]map[string]string
	_, err = toml.Decode(string(b.Files[2].Content()), &tm)
	require.NoError(t, err)
	assert.Equal(t, pw, tm["database"]["password"])
	require.NoError(t, yaml.Unmarshal(b.Files[3].Content(), &ym))
	assert.Equal(t, pw, ym["database"]["password"])
	assert.Equal(t, b.Values["shop/DATABASE_URL"].Reveal(), ym["database"]["url"])
	assert.Contains(t, b.Values["shop/DATABASE_URL"].Reveal(), "?app=acme-1")
	assert.Equal(t, b.Values["shop/TLS"].Reveal(), string(b.Files[6].Content()))
}

// TestBundleReusesExisting shows issuing again with the issued values
// renders byte-identical files and generates nothing.
func TestBundleReusesExisting(t *testing.T) {
	first, err := CreateBundle(targetManifest(), "acme-1", nil, Options{})
	require.NoError(t, err)
	existing := map[string]string{}
	for id, v := range first.Values {
		assert.False(t, v.Reused)
		existing[id] = v.Reveal()
	}
	again, err := CreateBundle(targetManifest(), "acme-1", existing, Options{Rand: failingReader{}})
	require.NoError(t, err)
	for id, v := range again.Values {
		assert.True(t, v.Reused, id)
	}
	require.Equal(t, len(first.Files), len(again.Files))
	for i := range first.Files {
		assert.Equal(t, first.Files[i].Content(), again.Files[i].Content(), first.Files[i].Path)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no randomness expected") }

func TestBundleErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		secrets []store.ManifestSecret
		msg     string
	}{
		{"unknown reference", []store.ManifestSecret{bundled("a/URL", store.Generator{Type: "derived", Template: "{{ .NOPE }}"})},
			"a/URL: template refers to .NOPE, which has no value at bundle time"},
		{"prompted reference", []store.ManifestSecret{
			bundled("a/URL", store.Generator{Type: "derived", Template: `{{ secret "a/TOKEN" }}`}),
			{ID: "a/TOKEN", SecretKey: "TOKEN", HandlingStrategy: store.Prompt}},
			`a/URL: template refers to secret "a/TOKEN", which has no value at bundle time`},
		{"cycle", []store.ManifestSecret{
			bundled("a/X", store.Generator{Type: "derived", Template: "{{ .Y }}"}),
			bundled("a/Y", store.Generator{Type: "derived", Template: "{{ .X }}"})},
			"derived values refer to each other in a cycle: [a/X a/Y a/X]"},
		{"bad generator", []store.ManifestSecret{bundled("a/X", store.Generator{Type: "nope"})}, `a/X: generator "nope": unknown generator`},
		{"file twice", []store.ManifestSecret{
			bundled("a/X", store.Generator{Type: "hex"}, store.Target{Type: "file", Path: "k"}),
			bundled("a/Y", store.Generator{Type: "hex"}, store.Target{Type: "file", Path: "k"})},
			"a/Y: target file: k is also written by a/X"},
		{"formats disagree", []store.ManifestSecret{
			bundled("a/X", store.Generator{Type: "hex"}, store.Target{Type: "config", Path: "c", Format: "json", Key: "x"}),
			bundled("a/Y", store.Generator{Type: "hex"}, store.Target{Type: "config", Path: "c", Format: "yaml", Key: "y"})},
			"a/Y: target yaml: c is written by a/X as json"},
		{"key twice", []store.ManifestSecret{
			bundled("a/X", store.Generator{Type: "hex"}, store.Target{Type: "config", Path: "c", Format: "json", Key: "x.y"}),
			bundled("a/Y", store.Generator{Type: "hex"}, store.Target{Type: "config", Path: "c", Format: "json", Key: "x"})},
			"a/Y: target config: c: key x is set twice"},
		{"value not table", []store.ManifestSecret{
			bundled("a/X", store.Generator{Type: "hex"}, store.Target{Type: "config", Path: "c", Format: "toml", Key: "x"}),
			bundled("a/Y", store.Generator{Type: "hex"}, store.Target{Type: "config", Path: "c", Format: "toml", Key: "x.y"})},
			"a/Y: target config: c: x is a value, not a table"},
		{"file under file", []store.ManifestSecret{
			bundled("a/X", store.Generator{Type: "hex"}, store.Target{Type: "file", Path: "k"}),
			bundled("a/Y", store.Generator{Type: "hex"}, store.Target{Type: "file", Path: "k/v"})},
			"k is a file, so k/v cannot be inside it"},
		{"template missing key", []store.ManifestSecret{
			bundled("a/X", store.Generator{Type: "hex"}, store.Target{Type: "file", Path: "k", Template: "{{ .NOPE }}"})},
			`a/X: target file: render k: template: k:1:3: executing "k" at <.NOPE>: map has no entry for key "NOPE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CreateBundle(&store.Manifest{Secrets: tc.secrets}, "d", nil, Options{})
			assert.ErrorContains(t, err, tc.msg)
		})
	}
}

func TestBundleRefusesInfrastructureOnEndUserTier(t *testing.T) {
	s := bundled("vault/VAULT_TOKEN", store.Generator{Type: "hex"})
	s.Classification = store.Infrastructure
	m := &store.Manifest{TierID: "desktop", Secrets: []store.ManifestSecret{s}, Summary: store.Summary{
		BlockingSecretDetails: []store.BlockingDetail{{Code: "infrastructure-on-end-user-tier", Resource: "vault", Secret: "VAULT_TOKEN"}}}}
	_, err := CreateBundle(m, "d", nil, Options{Rand: failingReader{}})
	require.ErrorIs(t, err, ErrRefused)
	assert.ErrorContains(t, err, "vault/VAULT_TOKEN")
}

func TestValueAndFileNeverPrint(t *testing.T) {
	const canary = "canary-9d1c5e"
	v := Value{ID: "a/K", Key: "K", Generator: "hex", value: canary}
	f := File{Path: "k", Mode: 0o600, content: []byte(canary)}
	b := &Bundle{Values: map[string]Value{"a/K": v}, Files: []File{f}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, x := range []any{v, f, b, *b, []Value{v}} {
			out := fmt.Sprintf(verb, x)
			assert.NotContains(t, out, canary, verb)
			assert.NotContains(t, out, fmt.Sprintf("%x", canary), verb)
		}
	}
	j, err := json.Marshal(b)
	require.NoError(t, err)
	assert.NotContains(t, string(j), canary)
	assert.Contains(t, string(j), `"generator":"hex"`)
	assert.Equal(t, canary, v.Reveal())
}

func TestDotenvQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain-1.2/x:y@z":  "plain-1.2/x:y@z",
		"has space $HOME":  "'has space $HOME'",
		"it's":             `"it's"`,
		"a\nb $x \"q\" \\": `"a\nb \$x \"q\" \\"`,
		"":                 "",
	} {
		assert.Equal(t, want, dotenvQuote(in), in)
	}
}
