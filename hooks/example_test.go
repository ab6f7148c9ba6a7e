package hooks_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/secretsctl/secretsctl/hooks"
	"github.com/secretsctl/secretsctl/store"
)

// A runtime's generator shape: 24 alphanumeric characters. A fixed stream
// stands in for crypto/rand so the output is reproducible.
func ExampleGenerate() {
	opt := hooks.Options{Rand: rand.NewChaCha8([32]byte{})}
	v, err := hooks.Generate(store.Generator{Type: "random", Length: 24, Charset: "alnum"}, nil, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(v))
	// Output: 24
}

// A derived value builds a DSN from the deployment's other values.
func ExampleGenerate_derived() {
	deps := map[string]string{"postgres/POSTGRES_PASSWORD": "s3cr/t"}
	g := store.Generator{Type: "derived", Template: "postgres://app:{{ .POSTGRES_PASSWORD | urlquery }}@db:5432/app"}
	v, err := hooks.Generate(g, deps, hooks.Options{})
	fmt.Println(v, err)
	// Output: postgres://app:s3cr%2Ft@db:5432/app <nil>
}

// Lint reports a bad generator before any bundle is made.
func ExampleValidateGenerator() {
	fmt.Println(hooks.ValidateGenerator(store.Generator{Type: "random", Length: 32, Charset: "alnum"}))
	fmt.Println(hooks.ValidateGenerator(store.Generator{Type: "jwt-secret", Bytes: 16}))
	fmt.Println(hooks.ValidateGenerator(store.Generator{Type: "hex", Length: 8}))
	// Output:
	// <nil>
	// generator jwt-secret: bytes: 16 is out of range 32..4096
	// generator hex: length: not a parameter of this generator
}

func ExampleTemplateRefs() {
	refs, err := hooks.TemplateRefs(`{{ .DB_USER }}:{{ secret "postgres/POSTGRES_PASSWORD" }}`)
	fmt.Println(refs.Keys, refs.Secrets, err)
	// Output: [DB_USER] [postgres/POSTGRES_PASSWORD] <nil>
}

// A bundler creates the bundle of one deployment from its manifest and
// writes the files; values print as [redacted].
func ExampleCreateBundle() {
	m := &store.Manifest{Scenario: "shop", TierID: "enterprise", Secrets: []store.ManifestSecret{{
		ID: "shop/SESSION_SECRET", SecretKey: "SESSION_SECRET", HandlingStrategy: store.Generate,
		GenerateAt: store.AtBundle, GeneratorTemplate: &store.Generator{Type: "hex", Bytes: 32},
		Targets: []store.Target{
			{Type: "env", Name: "SESSION_SECRET"},
			{Type: "config", Path: "config/app.toml", Format: "toml", Key: "session.secret"},
		},
	}}}
	b, err := hooks.CreateBundle(m, "acme-1", nil, hooks.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "bundle")
	defer os.RemoveAll(dir)
	if err := b.WriteDir(dir); err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range b.Files {
		info, _ := os.Stat(filepath.Join(dir, f.Path))
		fmt.Println(f, info.Mode())
	}
	fmt.Println(b.Values["shop/SESSION_SECRET"], len(b.Values["shop/SESSION_SECRET"].Reveal()))
	// Output:
	// .env: [redacted] -rw-------
	// config/app.toml: [redacted] -rw-------
	// [redacted] 64
}
