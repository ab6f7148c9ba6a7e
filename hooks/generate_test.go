package hooks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

var goldenGenerators = []struct {
	name  string
	gen   store.Generator
	check func(t *testing.T, v string)
}{
	{"random-default", store.Generator{Type: "random"}, matches(`^[A-Za-z0-9]{32}$`)},
	{"random-runtime-shape", store.Generator{Type: "random", Length: 20, Charset: "alnum", Weak: true}, matches(`^[A-Za-z0-9]{20}$`)},
	{"random-hex", store.Generator{Type: "random", Length: 16, Charset: "hex", Weak: true}, matches(`^[0-9a-f]{16}$`)},
	{"random-base64", store.Generator{Type: "random", Length: 16, Charset: "base64", Weak: true}, matches(`^[A-Za-z0-9+/]{16}$`)},
	{"random-digits", store.Generator{Type: "random", Length: 6, Charset: "digits", Weak: true}, matches(`^[0-9]{6}$`)},
	{"random-alphabet", store.Generator{Type: "random", Length: 12, Alphabet: "αβγδ", Weak: true}, matches(`^[αβγδ]{12}$`)},
	{"password-default", store.Generator{Type: "password"}, func(t *testing.T, v string) {
		assert.Len(t, v, 24)
		assert.True(t, hasEveryClass(v, classOrder), "every class present")
	}},
	{"password-classes", store.Generator{Type: "password", Length: 8, Classes: []string{"digits", "lower"}, Weak: true}, matches(`^[a-z0-9]{8}$`)},
	{"hex", store.Generator{Type: "hex", Bytes: 16}, func(t *testing.T, v string) {
		b, err := hex.DecodeString(v)
		require.NoError(t, err)
		assert.Len(t, b, 16)
	}},
	{"base64", store.Generator{Type: "base64"}, func(t *testing.T, v string) {
		b, err := base64.StdEncoding.DecodeString(v)
		require.NoError(t, err)
		assert.Len(t, b, 32)
	}},
	{"uuid-v4", store.Generator{Type: "uuid"}, matches(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)},
	{"uuid-v7", store.Generator{Type: "uuid", Version: "v7"}, func(t *testing.T, v string) {
		matches(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)(t, v)
		ms := fmt.Sprintf("%012x", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixMilli())
		assert.Equal(t, ms[:8]+"-"+ms[8:], v[:13], "v7 starts with the Unix milliseconds")
	}},
	{"jwt-secret", store.Generator{Type: "jwt-secret"}, func(t *testing.T, v string) {
		b, err := base64.RawURLEncoding.DecodeString(v)
		require.NoError(t, err)
		assert.GreaterOrEqual(t, len(b)*8, 256)
	}},
	{"keypair-ed25519", store.Generator{Type: "keypair"}, privateKey[ed25519.PrivateKey]},
	{"keypair-ecdsa-p256", store.Generator{Type: "keypair", Algorithm: "ecdsa-p256"}, privateKey[*ecdsa.PrivateKey]},
	{"keypair-rsa-3072", store.Generator{Type: "keypair", Algorithm: "rsa-3072"}, func(t *testing.T, v string) {
		privateKey[*rsa.PrivateKey](t, v)
		block, _ := pem.Decode([]byte(v))
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		require.NoError(t, err)
		assert.Equal(t, 3072, k.(*rsa.PrivateKey).N.BitLen())
	}},
	{"tls-cert", store.Generator{Type: "tls-cert", Hosts: []string{"app.internal", "127.0.0.1"}, ValidDays: 30}, func(t *testing.T, v string) {
		block, rest := pem.Decode([]byte(v))
		require.NotNil(t, block)
		require.Equal(t, "CERTIFICATE", block.Type)
		cert, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		assert.Equal(t, []string{"app.internal"}, cert.DNSNames)
		assert.Equal(t, "127.0.0.1", cert.IPAddresses[0].String())
		assert.Equal(t, 30*24.0, cert.NotAfter.Sub(cert.NotBefore).Hours())
		assert.NoError(t, cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature), "self-signed")
		privateKey[*ecdsa.PrivateKey](t, string(rest))
	}},
	{"sqlite-path", store.Generator{Type: "sqlite-path", Path: "db/app.sqlite"}, func(t *testing.T, v string) {
		assert.Equal(t, "/var/lib/app/db/app.sqlite", v)
	}},
	{"derived", store.Generator{Type: "derived",
		Template: `postgres://app:{{ .POSTGRES_PASSWORD | urlquery }}@db:5432/{{ secret "postgres/POSTGRES_DB" }}`},
		func(t *testing.T, v string) {
			assert.Equal(t, "postgres://app:p%40ss%2Fword@db:5432/appdb", v)
		}},
}

func matches(re string) func(t *testing.T, v string) {
	return func(t *testing.T, v string) { assert.Regexp(t, regexp.MustCompile(re), v) }
}

func privateKey[K any](t *testing.T, v string) {
	block, rest := pem.Decode([]byte(v))
	require.NotNil(t, block)
	assert.Equal(t, "PRIVATE KEY", block.Type)
	assert.Empty(t, rest)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	assert.IsType(t, *new(K), k)
}

// TestGeneratorsGolden runs every generator on a fixed random stream: the
// output is checked for shape and compared with testdata/golden.
func TestGeneratorsGolden(t *testing.T) {
	deps := map[string]string{"postgres/POSTGRES_PASSWORD": "p@ss/word", "postgres/POSTGRES_DB": "appdb"}
	seen := map[string]bool{}
	for _, tc := range goldenGenerators {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, ValidateGenerator(tc.gen))
			v, err := Generate(tc.gen, deps, fixedOptions(t))
			require.NoError(t, err)
			tc.check(t, v)
			golden(t, "generate/"+tc.name, []byte(v))
			again, err := Generate(tc.gen, deps, fixedOptions(t))
			require.NoError(t, err)
			assert.Equal(t, v, again, "a fixed stream gives the same value")
		})
		seen[tc.gen.Type] = true
	}
	for _, g := range Generators() {
		assert.True(t, seen[g.Type], "generator %s has no golden test", g.Type)
	}
}

// TestGenerateDrawsFromRand shows the injected reader is the source: two
// streams give two values.
func TestGenerateDrawsFromRand(t *testing.T) {
	for _, g := range []store.Generator{{Type: "random"}, {Type: "password"}, {Type: "hex"}, {Type: "uuid"},
		{Type: "keypair"}, {Type: "keypair", Algorithm: "ecdsa-p256"}, {Type: "jwt-secret"}} {
		a, err := Generate(g, nil, Options{Rand: fixedRand(1)})
		require.NoError(t, err)
		b, err := Generate(g, nil, Options{Rand: fixedRand(2)})
		require.NoError(t, err)
		assert.NotEqual(t, a, b, g.Type)
	}
}

func TestGenerateFailingRand(t *testing.T) {
	_, err := Generate(store.Generator{Type: "random"}, nil, Options{Rand: strings.NewReader("short")})
	assert.ErrorContains(t, err, "generate random: read randomness: unexpected EOF")
}

func TestValidateGenerator(t *testing.T) {
	for _, tc := range []struct {
		gen   store.Generator
		param string
		msg   string
	}{
		{store.Generator{Type: "rnd"}, "type", `generator "rnd": unknown generator; known: base64, derived, hex, jwt-secret, keypair, password, random, sqlite-path, tls-cert, uuid`},
		{store.Generator{}, "type", `generator "": unknown generator`},
		{store.Generator{Type: "random", Bytes: 8}, "bytes", "generator random: bytes: not a parameter of this generator"},
		{store.Generator{Type: "random", Charset: "emoji"}, "charset", `"emoji" is not one of alnum`},
		{store.Generator{Type: "random", Charset: "hex", Alphabet: "ab"}, "alphabet", "give a charset or an alphabet, not both"},
		{store.Generator{Type: "random", Alphabet: "aa"}, "alphabet", "repeats a character"},
		{store.Generator{Type: "random", Alphabet: "a"}, "alphabet", "needs at least 2 characters"},
		{store.Generator{Type: "random", Length: 5000}, "length", "5000 is out of range 1..4096"},
		{store.Generator{Type: "password", Length: 4}, "length", "4 is out of range 8..4096"},
		{store.Generator{Type: "password", Classes: []string{"emoji"}}, "classes", `"emoji" is not one of`},
		{store.Generator{Type: "password", Classes: []string{"lower", "lower"}}, "classes", "listed twice"},
		{store.Generator{Type: "jwt-secret", Bytes: 16}, "bytes", "16 is out of range 32..4096"},
		{store.Generator{Type: "uuid", Version: "v1"}, "version", `"v1" is not one of v4, v7`},
		{store.Generator{Type: "keypair", Algorithm: "dsa"}, "algorithm", `"dsa" is not one of ed25519`},
		{store.Generator{Type: "tls-cert"}, "hosts", "required"},
		{store.Generator{Type: "tls-cert", Hosts: []string{"bad host"}}, "hosts", "neither a DNS name nor an IP address"},
		{store.Generator{Type: "sqlite-path"}, "path", "required"},
		{store.Generator{Type: "sqlite-path", Path: "../app.db"}, "path", "must be a relative path"},
		{store.Generator{Type: "sqlite-path", Path: "/app.db"}, "path", "must be a relative path"},
		{store.Generator{Type: "derived", Template: "{{ .A "}, "template", "unclosed action"},
		{store.Generator{Type: "derived", Template: "{{ nosuchfunc }}"}, "template", `function "nosuchfunc" not defined`},
		{store.Generator{Type: "random", Length: 1}, "length", "gives 5 bits of entropy, under the floor of 128 bits"},
		{store.Generator{Type: "random", Length: 21}, "length", "gives 125 bits of entropy"},
		{store.Generator{Type: "random", Length: 31, Charset: "hex"}, "length", "gives 124 bits of entropy"},
		{store.Generator{Type: "random", Length: 64, Alphabet: "ab"}, "length", "gives 64 bits of entropy"},
		{store.Generator{Type: "password", Length: 16}, "length", "gives 99 bits of entropy"},
		{store.Generator{Type: "password", Length: 20, Classes: []string{"lower", "digits"}}, "length", "gives 103 bits of entropy"},
		{store.Generator{Type: "hex", Bytes: 1}, "bytes", "gives 8 bits of entropy, under the floor of 128 bits"},
		{store.Generator{Type: "base64", Bytes: 15}, "bytes", "gives 120 bits of entropy"},
		{store.Generator{Type: "uuid", Weak: true}, "weak", "not a parameter of this generator"},
		{store.Generator{Type: "jwt-secret", Weak: true}, "weak", "not a parameter of this generator"},
	} {
		t.Run(tc.param+"/"+tc.msg, func(t *testing.T) {
			err := ValidateGenerator(tc.gen)
			var pe *ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.param, pe.Param)
			assert.Contains(t, err.Error(), tc.msg)
			_, genErr := Generate(tc.gen, nil, Options{Rand: fixedRand(1)})
			assert.ErrorAs(t, genErr, &pe, "Generate validates first")
		})
	}
}

func TestDerivedMissingKey(t *testing.T) {
	_, err := Generate(store.Generator{Type: "derived", Template: "{{ .NOPE }}"}, map[string]string{"a/KEY": "canary-value"}, Options{})
	require.ErrorContains(t, err, `map has no entry for key "NOPE"`)
	assert.NotContains(t, err.Error(), "canary-value")
	_, err = Generate(store.Generator{Type: "derived", Template: `{{ secret "a/NOPE" }}`}, map[string]string{"a/KEY": "canary-value"}, Options{})
	assert.ErrorContains(t, err, `no value for secret "a/NOPE"`)
}

func TestGeneratorsDocumented(t *testing.T) {
	for _, g := range Generators() {
		assert.NotEmpty(t, g.Doc, g.Type)
		for _, p := range g.Params {
			assert.NotEmpty(t, p.Doc, g.Type+"."+p.Name)
		}
	}
}

func TestTemplateRefs(t *testing.T) {
	refs, err := TemplateRefs(`{{ if .A }}{{ .B | urlquery }}{{ else }}{{ secret "r/C" }}{{ end }}{{ with .D }}{{ . }}{{ end }}{{ .Value }}{{ range $x := .E }}{{ end }}`)
	require.NoError(t, err)
	assert.Equal(t, Refs{Keys: []string{"A", "B", "D", "E"}, Secrets: []string{"r/C"}, Value: true}, refs)
	_, err = TemplateRefs("{{ .A ")
	assert.Error(t, err)
}

// TestSchemaListsEveryGenerator keeps store.Generator's jsonschema enum,
// which editors and the document schema use, in step with the generators.
func TestSchemaListsEveryGenerator(t *testing.T) {
	field, ok := reflect.TypeFor[store.Generator]().FieldByName("Type")
	require.True(t, ok)
	var enum []string
	for _, part := range strings.Split(field.Tag.Get("jsonschema"), ",") {
		if v, ok := strings.CutPrefix(part, "enum="); ok {
			enum = append(enum, v)
		}
	}
	slices.Sort(enum)
	assert.Equal(t, generatorTypes(), enum)
}

// test that the entropy floor sits exactly at 128 bits, that weak: true
// lets a generator under it through, and that defaults count.
func TestEntropyFloor(t *testing.T) {
	for _, tc := range []struct {
		gen  store.Generator
		bits float64
	}{
		{store.Generator{Type: "random"}, 32 * math.Log2(62)},
		{store.Generator{Type: "random", Length: 32, Charset: "hex"}, 128},
		{store.Generator{Type: "random", Length: 22}, 22 * math.Log2(62)},
		{store.Generator{Type: "password"}, 24 * math.Log2(76)},
		{store.Generator{Type: "hex", Bytes: 16}, 128},
		{store.Generator{Type: "base64"}, 256},
		{store.Generator{Type: "jwt-secret"}, 256},
	} {
		bits, ok := EntropyBits(tc.gen)
		require.True(t, ok, "%+v", tc.gen)
		assert.InDelta(t, tc.bits, bits, 1e-9, "%+v", tc.gen)
		assert.GreaterOrEqual(t, bits, float64(MinEntropyBits))
		assert.NoError(t, ValidateGenerator(tc.gen), "%+v", tc.gen)
	}
	weak := store.Generator{Type: "hex", Bytes: 4, Weak: true}
	require.NoError(t, ValidateGenerator(weak))
	v, err := Generate(weak, nil, Options{Rand: fixedRand(1)})
	require.NoError(t, err)
	assert.Len(t, v, 8)
	for _, g := range []store.Generator{{Type: "uuid"}, {Type: "keypair"}, {Type: "derived", Template: "x"}, {Type: "random", Alphabet: "a"}} {
		_, ok := EntropyBits(g)
		assert.False(t, ok, "%+v", g)
	}
}
