package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	santhosh "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/secretsctl/secretsctl/store/internal/docschema"
	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// TestSchemaValidationMatchesSanthosh is a differential test of
// store/internal/docschema against github.com/santhosh-tekuri/jsonschema/v6,
// the general validator the store used before (kept as a test dependency):
// every document of the example store and the ledger-event fixture, and
// thousands of single mutations of them (each value replaced by values of
// every JSON type, unknown enum strings, out-of-range numbers; each property
// removed; an unknown property added to each object), must be accepted or
// refused by both, with the same failures at the same places in the same
// words (except that numbers in minimum and maximum failures are now
// written plainly, 4096 where santhosh localised them as 4,096 and
// 1×10⁰⁶).
func TestSchemaValidationMatchesSanthosh(t *testing.T) {
	key, err := os.ReadFile(filepath.Join("..", "examples", "store", "demo-age-key.txt"))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := sopsfile.ParseKeyring(string(key))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]Kind{"../examples/store/secretsctl.yaml": KindConfig, "testdata/ledger-event-rotate.yaml": KindLedgerEvent}
	for dir, k := range map[string]Kind{"resources": KindResource, "scenarios": KindScenario, "vault": KindVault} {
		matches, _ := filepath.Glob(filepath.Join("..", "examples", "store", dir, "*.yaml"))
		for _, m := range matches {
			files[m] = k
		}
	}
	c := santhosh.NewCompiler()
	for _, k := range documentKinds {
		raw, err := SchemaJSON(k, SchemaOptions{})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := santhosh.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(SchemaID(k), doc); err != nil {
			t.Fatal(err)
		}
	}
	checked, refused := 0, 0
	for file, k := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := sopsfile.Decrypt(data, kr)
			if err != nil {
				t.Fatal(err)
			}
			node, err := parseYAML(file, plain)
			if err != nil {
				t.Fatal(err)
			}
			val, derr := toValue(node.Content[0], "", positions{}, 0)
			if derr != nil {
				t.Fatal(derr)
			}
			old, err := c.Compile(SchemaID(k))
			if err != nil {
				t.Fatal(err)
			}
			ours, err := compiledSchema(k)
			if err != nil {
				t.Fatal(err)
			}
			compare := func(what string, v any) {
				t.Helper()
				want := santhoshLeaves(old.Validate(v))
				got := ourLeaves(ours.Validate(v))
				if !slices.Equal(want, got) {
					t.Errorf("%s:\n santhosh: %q\n docschema: %q", what, want, got)
				}
				checked++
				if len(want) > 0 {
					refused++
				}
			}
			compare("as is", val)
			for _, m := range mutations(val, nil) {
				compare(m.what, m.doc)
			}
		})
	}
	t.Logf("%d documents compared, %d of them refused", checked, refused)
	if refused < checked/2 {
		t.Errorf("only %d of %d mutated documents were refused: the mutations do not exercise the schemas", refused, checked)
	}
}

var englishPrinter = message.NewPrinter(language.English)

func santhoshLeaves(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	var walk func(v *santhosh.ValidationError)
	walk = func(v *santhosh.ValidationError) {
		if len(v.Causes) == 0 {
			reason := v.ErrorKind.LocalizedString(englishPrinter)
			switch k := v.ErrorKind.(type) {
			case *kind.Minimum:
				reason = "minimum: got " + k.Got.FloatString(0) + ", want " + k.Want.FloatString(0)
			case *kind.Maximum:
				reason = "maximum: got " + k.Got.FloatString(0) + ", want " + k.Want.FloatString(0)
			}
			out = append(out, "/"+strings.Join(v.InstanceLocation, "/")+": "+reason)
		}
		for _, c := range v.Causes {
			walk(c)
		}
	}
	walk(err.(*santhosh.ValidationError))
	slices.Sort(out)
	return out
}

func ourLeaves(errs []docschema.Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, "/"+strings.Join(e.Location, "/")+": "+e.Reason)
	}
	slices.Sort(out)
	return out
}

type mutation struct {
	what string
	doc  any
}

// replacements are put in place of every value in turn.
var replacements = []any{"x", "bogus-enum-value", "UPPER case!", json.Number("5"), json.Number("1.5"),
	json.Number("-3"), json.Number("0"), json.Number("1000000"), true, nil, []any{}, []any{"x"}, []any{json.Number("1")},
	map[string]any{}, map[string]any{"zz_unknown": "x"}}

// mutations returns every single change of v at or below path.
func mutations(v any, path []string) []mutation {
	var out []mutation
	at := "/" + strings.Join(path, "/")
	for _, r := range replacements {
		out = append(out, mutation{fmt.Sprintf("%s = %#v", at, r), r})
	}
	wrap := func(inner []mutation, rebuild func(any) any) {
		for _, m := range inner {
			out = append(out, mutation{m.what, rebuild(m.doc)})
		}
	}
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			without := maps.Clone(v)
			delete(without, k)
			out = append(out, mutation{"delete " + at + "/" + k, without})
			wrap(mutations(v[k], append(slices.Clone(path), k)), func(child any) any {
				c := maps.Clone(v)
				c[k] = child
				return c
			})
		}
		extra := maps.Clone(v)
		extra["zz_unknown"] = "x"
		out = append(out, mutation{"add " + at + "/zz_unknown", extra})
	case []any:
		for i := range v {
			wrap(mutations(v[i], append(slices.Clone(path), fmt.Sprint(i))), func(child any) any {
				c := slices.Clone(v)
				c[i] = child
				return c
			})
		}
	}
	return out
}
