package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/dotenv"
	"github.com/secretsctl/secretsctl/hooks"
	"github.com/secretsctl/secretsctl/hooks/prompt"
	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

const canary = "canary-redact-9f1c2e"

// holder is one value-holding value, and whether its JSON encoding carries
// the value by design (the store encrypts it; env --format json prints it).
type holder struct {
	name        string
	v           any
	jsonCarries bool
}

func holders(t *testing.T) []holder {
	b := bundle(t)
	return []holder{
		{"store.SecretValue", store.SecretValue(canary), true},
		{"store.LedgerEntry", store.LedgerEntry{SecretID: "db/PASSWORD", Value: store.SecretValue(canary)}, true},
		{"store.LedgerEvent", store.LedgerEvent{Secrets: []store.LedgerEntry{{Value: store.SecretValue(canary)}}}, true},
		{"store.Vault", store.Vault{Scope: "local", Values: map[string]string{"db/PASSWORD": canary}}, true},
		{"hooks.Value", b.Values["db/PASSWORD"], false},
		{"hooks.File", b.Files[0], false},
		{"hooks.Bundle", *b, false},
		{"prompt.Value", prompt.Value(canary), false},
		{"prompt.Answers", prompt.Answers{"db/PASSWORD": prompt.Value(canary)}, false},
		{"resolve.Value", resolve.Value{ID: "db/PASSWORD", Value: canary}, true},
		{"dotenv.Entry", dotenv.Entry{Key: "PASSWORD", Value: canary, Line: 1}, true},
		{"bundlescan.Secret", bundlescan.Secret{ID: "db/PASSWORD", Value: []byte(canary)}, false},
	}
}

// bundle is a bundle whose one value is the canary (reused, not generated).
func bundle(t *testing.T) *hooks.Bundle {
	g := store.Generator{Type: "hex"}
	m := &store.Manifest{Scenario: "app", Tier: "saas", TierID: "saas", Secrets: []store.ManifestSecret{{
		ID: "db/PASSWORD", ResourceName: "db", SecretKey: "PASSWORD", Classification: store.Service,
		HandlingStrategy: store.Generate, GenerateAt: store.AtBundle, GeneratorTemplate: &g,
		Targets: []store.Target{{Type: "env", Name: "PASSWORD"}}}}}
	b, err := hooks.CreateBundle(m, "acme", map[string]string{"db/PASSWORD": canary}, hooks.Options{})
	require.NoError(t, err)
	require.Equal(t, canary, b.Values["db/PASSWORD"].Reveal())
	require.Contains(t, string(b.Files[0].Content()), canary)
	return b
}

// test that no fmt verb, wrapping, or slog handler shows a value, and that
// JSON shows it only where that is the type's purpose.
func TestValueHoldersRedact(t *testing.T) {
	for _, h := range holders(t) {
		t.Run(h.name, func(t *testing.T) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				for form, arg := range map[string]any{"bare": h.v, "in a struct": struct{ X any }{h.v}, "pointer": ptr(h.v), "in a slice": []any{h.v}} {
					out := fmt.Sprintf(verb, arg)
					assert.NotContains(t, out, canary, "%s %s", verb, form)
				}
			}
			for name, handler := range map[string]func(*bytes.Buffer) slog.Handler{
				"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
				"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			} {
				var buf bytes.Buffer
				slog.New(handler(&buf)).Info("msg", "secret", h.v, slog.Group("g", "secret", h.v))
				assert.NotContains(t, buf.String(), canary, "slog %s", name)
				assert.Contains(t, buf.String(), "secret", "slog %s logged the attribute", name)
			}
			out, err := json.Marshal(h.v)
			require.NoError(t, err)
			if h.jsonCarries {
				assert.Contains(t, string(out), canary, "JSON is how this type stores or prints its value")
			} else {
				assert.NotContains(t, string(out), canary, "JSON")
			}
		})
	}
}

// ptr returns a pointer to a copy of v, of v's own type.
func ptr(v any) any {
	switch v := v.(type) {
	case store.SecretValue:
		return &v
	case store.LedgerEntry:
		return &v
	case store.Vault:
		return &v
	case hooks.Value:
		return &v
	case hooks.File:
		return &v
	case prompt.Value:
		return &v
	case resolve.Value:
		return &v
	case dotenv.Entry:
		return &v
	case bundlescan.Secret:
		return &v
	}
	return v
}
