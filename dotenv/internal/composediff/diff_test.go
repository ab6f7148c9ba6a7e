package composediff_test

import (
	"errors"
	"maps"
	"regexp"
	"strings"
	"testing"

	compose "github.com/compose-spec/compose-go/v2/dotenv"

	"github.com/secretsctl/secretsctl/dotenv"
)

// environment is what both parsers look variables up in.
var environment = map[string]string{"HOME": "/home/dev", "EMPTY": "", "SET": "from-env", "SPACED": "a b"}

func lookup(name string) (string, bool) { v, ok := environment[name]; return v, ok }

// ours parses src with secretsctl's dotenv: the variables, last one winning.
func ours(src string) (map[string]string, error) {
	entries, err := dotenv.Parse([]byte(src), dotenv.Options{Lookup: lookup})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for k, e := range dotenv.Map(entries) {
		out[k] = e.Value
	}
	return out, nil
}

// theirs parses src with compose-go's dotenv, as docker compose reads an
// env_file (compose.ReadFile reads the file this way). The file gets a
// final line break: compose reads a bare KEY on an unterminated last line
// as a variable with an empty name and the value "KEY" (a bug; with the
// line break it reads KEY from the environment, as secretsctl does either
// way), and no other line changes meaning with it.
func theirs(src string) (map[string]string, error) {
	if !strings.HasSuffix(src, "\n") {
		src += "\n"
	}
	return compose.ParseWithLookup(strings.NewReader(src), lookup)
}

// compare reports how the two parsers disagree on src, "" when they agree.
func compare(src string) string {
	a, errA := ours(src)
	b, errB := theirs(src)
	switch {
	case errA != nil && errB != nil:
		return ""
	case errA == nil && nestedBraces.MatchString(src):
		return "" // compose matches braces inside ${...}; secretsctl ends it at the first }
	case errA != nil && stricter(errA):
		return ""
	case errA != nil:
		return "secretsctl refuses what compose accepts: " + errA.Error()
	case errB != nil:
		return "compose refuses what secretsctl accepts: " + errB.Error()
	case !maps.Equal(a, b):
		return "different variables"
	}
	return ""
}

// stricter reports whether secretsctl's refusal err of a file compose
// reads is one of the places where secretsctl is stricter by design (see
// the dotenv package's "Differences from docker compose"): a variable name
// outside [A-Za-z_][A-Za-z0-9_.-]* (compose also takes an empty name, a
// leading digit, [ and ], and any Unicode letter or digit), characters
// after a closing quote (compose drops them), and a malformed ${...}
// expansion (compose reads some as text or as empty).
func stricter(err error) bool {
	var pe *dotenv.ParseError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Reason {
	case "unexpected characters after the closing quote",
		"expected a variable name (letters, digits, _ . -, not starting with a digit)",
		"expected = after the variable name",
		"unterminated ${ expansion", "invalid variable name in ${...}":
		return true
	}
	if strings.HasPrefix(pe.Reason, "invalid expansion of ") {
		return true // an operator compose does not know either, or reads as text
	}
	return false
}

// nestedBraces finds a { inside a ${...} expansion, such as ${A:-{x}}.
var nestedBraces = regexp.MustCompile(`\$\{[^}]*\{`)

func FuzzCompose(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if d := compare(src); d != "" {
			a, _ := ours(src)
			b, _ := theirs(src)
			t.Fatalf("%q: %s\nsecretsctl: %q\ncompose:    %q", src, d, a, b)
		}
	})
}
