package hooks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// GeneratorInfo describes one generator: its type and the parameters it
// accepts.
type GeneratorInfo struct {
	Type   string
	Doc    string
	Params []Param
}

// A Param is one parameter of a generator, named as in [store.Generator]'s
// JSON encoding.
type Param struct {
	Name     string
	Required bool
	Doc      string
}

// ParamError is a generator that cannot run: an unknown type, a parameter
// the generator does not take, or a bad parameter value. It never holds a
// secret value.
type ParamError struct {
	// Generator is the generator type as written.
	Generator string
	// Param is the parameter at fault, or "type" for the type itself.
	Param  string
	Reason string
}

func (e *ParamError) Error() string {
	if e.Param == "type" {
		return fmt.Sprintf("generator %q: %s", e.Generator, e.Reason)
	}
	return fmt.Sprintf("generator %s: %s: %s", e.Generator, e.Param, e.Reason)
}

// Generators lists every generator, sorted by type.
func Generators() []GeneratorInfo {
	out := make([]GeneratorInfo, 0, len(generators))
	for _, g := range generators {
		out = append(out, g.info)
	}
	slices.SortFunc(out, func(a, b GeneratorInfo) int { return strings.Compare(a.Type, b.Type) })
	return out
}

// ValidateGenerator checks a generator without running it: a known type,
// only parameters that type takes, values in range, and at least
// [MinEntropyBits] of entropy unless it declares weak: true. The error is a
// [*ParamError].
func ValidateGenerator(g store.Generator) error {
	gen, ok := generators[g.Type]
	if !ok {
		return &ParamError{Generator: g.Type, Param: "type",
			Reason: "unknown generator; known: " + strings.Join(generatorTypes(), ", ")}
	}
	for _, name := range setParams(g) {
		if !slices.ContainsFunc(gen.info.Params, func(p Param) bool { return p.Name == name }) {
			return &ParamError{Generator: g.Type, Param: name, Reason: "not a parameter of this generator"}
		}
	}
	for _, p := range gen.info.Params {
		if p.Required && !slices.Contains(setParams(g), p.Name) {
			return &ParamError{Generator: g.Type, Param: p.Name, Reason: "required"}
		}
	}
	if gen.validate == nil {
		return nil
	}
	if err := gen.validate(g); err != nil {
		err.Generator = g.Type
		return err
	}
	if err := checkEntropy(g); err != nil {
		err.Generator = g.Type
		return err
	}
	return nil
}

func generatorTypes() []string {
	var types []string
	for _, g := range Generators() {
		types = append(types, g.Type)
	}
	return types
}

// setParams names the parameters a generator sets, in field order.
func setParams(g store.Generator) []string {
	var set []string
	add := func(name string, ok bool) {
		if ok {
			set = append(set, name)
		}
	}
	add("length", g.Length != 0)
	add("charset", g.Charset != "")
	add("alphabet", g.Alphabet != "")
	add("classes", len(g.Classes) > 0)
	add("bytes", g.Bytes != 0)
	add("version", g.Version != "")
	add("algorithm", g.Algorithm != "")
	add("hosts", len(g.Hosts) > 0)
	add("valid_days", g.ValidDays != 0)
	add("path", g.Path != "")
	add("template", g.Template != "")
	add("weak", g.Weak)
	return set
}

func badParam(param, format string, args ...any) *ParamError {
	return &ParamError{Param: param, Reason: fmt.Sprintf(format, args...)}
}

func checkRange(param string, v, lo, hi int) *ParamError {
	if v != 0 && (v < lo || v > hi) {
		return badParam(param, "%d is out of range %d..%d", v, lo, hi)
	}
	return nil
}

func checkEnum(param, v string, allowed []string) *ParamError {
	if v != "" && !slices.Contains(allowed, v) {
		return badParam(param, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
	return nil
}
