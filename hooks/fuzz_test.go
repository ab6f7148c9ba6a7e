package hooks

import (
	"strings"
	"testing"

	"github.com/secretsctl/secretsctl/store"
)

// FuzzTemplate feeds arbitrary templates to the parser, the reference
// walker and a derived generator: errors are fine, panics and leaked
// values are not.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{`{{ .A }}`, `{{ secret "r/A" | urlquery }}`, `{{ range .A }}{{ . }}{{ end }}`,
		`{{ define "x" }}{{ .B }}{{ end }}{{ template "x" . }}`, `{{ with $x := .A }}{{ $x }}{{ end }}`, `{{ .Value }}`} {
		f.Add(s)
	}
	const canary = "canary-4f1e"
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := TemplateRefs(text); err != nil {
			return
		}
		_, err := Generate(store.Generator{Type: "derived", Template: text}, map[string]string{"r/A": canary}, Options{})
		if err != nil && strings.Contains(err.Error(), canary) {
			t.Fatalf("error leaks the value: %v", err)
		}
	})
}
