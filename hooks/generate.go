package hooks

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"

	"github.com/secretsctl/secretsctl/store"
)

type generator struct {
	info     GeneratorInfo
	validate func(store.Generator) *ParamError
	generate func(g store.Generator, deps map[string]string, opt Options) (string, error)
}

var (
	bytesParam = Param{Name: "bytes", Doc: "bytes of randomness (32, at least 16 unless weak)"}
	weakParam  = Param{Name: "weak", Doc: "true to allow fewer than 128 bits of entropy (lint warns)"}
)

var generators = map[string]generator{
	"random": {
		info: GeneratorInfo{Type: "random", Doc: "random characters of a charset or alphabet, without modulo bias",
			Params: []Param{{Name: "length", Doc: "characters (32; length × log2(alphabet size) at least 128 unless weak)"},
				{Name: "charset", Doc: "alnum (default), alpha, lower, upper, digits, hex or base64"},
				{Name: "alphabet", Doc: "an explicit set of characters, instead of a charset"}, weakParam}},
		validate: validateRandom, generate: generateRandom},
	"password": {
		info: GeneratorInfo{Type: "password", Doc: "a password with at least one character of each required class",
			Params: []Param{{Name: "length", Doc: "characters (24, at least 8; length × log2(alphabet size) at least 128 unless weak)"},
				{Name: "classes", Doc: "lower, upper, digits, symbols (all four by default)"}, weakParam}},
		validate: validatePassword, generate: generatePassword},
	"hex": {
		info:     GeneratorInfo{Type: "hex", Doc: "random bytes, hex encoded", Params: []Param{bytesParam, weakParam}},
		validate: func(g store.Generator) *ParamError { return checkRange("bytes", g.Bytes, 1, 4096) },
		generate: func(g store.Generator, _ map[string]string, opt Options) (string, error) {
			b, err := randomBytes(opt, g.Bytes)
			return hex.EncodeToString(b), err
		}},
	"base64": {
		info:     GeneratorInfo{Type: "base64", Doc: "random bytes, standard base64 with padding", Params: []Param{bytesParam, weakParam}},
		validate: func(g store.Generator) *ParamError { return checkRange("bytes", g.Bytes, 1, 4096) },
		generate: func(g store.Generator, _ map[string]string, opt Options) (string, error) {
			b, err := randomBytes(opt, g.Bytes)
			return base64.StdEncoding.EncodeToString(b), err
		}},
	"jwt-secret": {
		info: GeneratorInfo{Type: "jwt-secret", Doc: "an HMAC key of at least 256 bits, base64url without padding",
			Params: []Param{{Name: "bytes", Doc: "bytes of key (32, at least 32)"}}},
		validate: func(g store.Generator) *ParamError { return checkRange("bytes", g.Bytes, 32, 4096) },
		generate: func(g store.Generator, _ map[string]string, opt Options) (string, error) {
			b, err := randomBytes(opt, g.Bytes)
			return base64.RawURLEncoding.EncodeToString(b), err
		}},
	"uuid": {
		info: GeneratorInfo{Type: "uuid", Doc: "an RFC 9562 UUID",
			Params: []Param{{Name: "version", Doc: "v4 (default) or v7"}}},
		validate: func(g store.Generator) *ParamError { return checkEnum("version", g.Version, []string{"v4", "v7"}) },
		generate: generateUUID},
	"keypair": {
		info: GeneratorInfo{Type: "keypair", Doc: "a private key in PKCS #8 PEM",
			Params: []Param{{Name: "algorithm", Doc: "ed25519 (default), ecdsa-p256 or rsa-3072"}}},
		validate: func(g store.Generator) *ParamError { return checkEnum("algorithm", g.Algorithm, algorithms) },
		generate: generateKeypair},
	"tls-cert": {
		info: GeneratorInfo{Type: "tls-cert", Doc: "a self-signed certificate and its private key, both PEM",
			Params: []Param{{Name: "hosts", Required: true, Doc: "DNS names and IP addresses (subject alternative names)"},
				{Name: "valid_days", Doc: "days of validity (365)"},
				{Name: "algorithm", Doc: "ecdsa-p256 (default), ed25519 or rsa-3072"}}},
		validate: validateTLSCert, generate: generateTLSCert},
	"sqlite-path": {
		info: GeneratorInfo{Type: "sqlite-path", Doc: "a database path under the app's data directory",
			Params: []Param{{Name: "path", Required: true, Doc: "relative to the data directory"}}},
		validate: func(g store.Generator) *ParamError { return checkLocal("path", g.Path) },
		generate: func(g store.Generator, _ map[string]string, opt Options) (string, error) {
			return filepath.Join(opt.dataDir(), filepath.FromSlash(g.Path)), nil
		}},
	"derived": {
		info: GeneratorInfo{Type: "derived", Doc: "a text/template over the deployment's other values, such as a DSN",
			Params: []Param{{Name: "template", Required: true, Doc: "text/template; see the package documentation"}}},
		validate: func(g store.Generator) *ParamError {
			if _, err := parseTemplate("derived", g.Template); err != nil {
				return badParam("template", "%v", err)
			}
			return nil
		},
		generate: func(g store.Generator, deps map[string]string, opt Options) (string, error) {
			return renderTemplate("derived", g.Template, newTemplateData("", nil, deps))
		}},
}

// Generate makes one value. deps are the deployment's values a derived
// generator's template may use, by secret id ("resource/KEY"); other
// generators ignore them. The generator is validated first, so a bad one
// fails with a [*ParamError] before any randomness is drawn.
func Generate(g store.Generator, deps map[string]string, opt Options) (string, error) {
	if err := ValidateGenerator(g); err != nil {
		return "", err
	}
	v, err := generators[g.Type].generate(g, deps, opt)
	if err != nil {
		return "", fmt.Errorf("generate %s: %w", g.Type, err)
	}
	return v, nil
}

func randomBytes(opt Options, n int) ([]byte, error) {
	if n == 0 {
		n = 32
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(opt.rand(), b); err != nil {
		return nil, fmt.Errorf("read randomness: %w", err)
	}
	return b, nil
}

func checkLocal(param, p string) *ParamError {
	if !localPath(p) {
		return badParam(param, "%q must be a relative path without .. that stays inside its directory", p)
	}
	return nil
}
