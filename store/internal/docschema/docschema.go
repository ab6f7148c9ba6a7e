// Package docschema validates decoded store documents against their JSON
// Schemas (jsonschema/*.schema.json, generated from the Go types by
// invopop/jsonschema).
//
// It implements exactly the part of JSON Schema draft 2020-12 those
// generated schemas use — type, enum, $ref into $defs, properties,
// required, additionalProperties, items, pattern, minimum, maximum, with
// $schema, $id, $defs, title, description and format as annotations (draft
// 2020-12 does not assert format) — and [Compile] refuses any other keyword,
// so a schema that starts to use one fails loudly in the tests instead of
// being half-checked. Compiling a schema is a JSON decode and a walk, with
// nothing done at package initialisation: a command pays only for the kinds
// of documents it reads.
//
// Failures are reported as the leaves of the evaluation, in the order and
// with the English wording of github.com/santhosh-tekuri/jsonschema/v6
// (which the store used before and which its differential test still runs
// against), each with its instance location.
package docschema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Draft is the only $schema a schema may declare.
const Draft = "https://json-schema.org/draft/2020-12/schema"

// Schema is a compiled JSON Schema.
type Schema struct {
	always     *bool // a boolean schema
	types      []string
	enum       []any
	ref        string // "#/$defs/Name", resolved into refTo
	refTo      *Schema
	properties map[string]*Schema
	required   []string
	additional *Schema // nil: any additional property is allowed
	items      *Schema
	pattern    *regexp.Regexp
	minimum    *big.Rat
	maximum    *big.Rat
}

// Error is one failed check.
type Error struct {
	// Location is the instance location: the property names and array
	// indexes from the document root to the failing value.
	Location []string
	// Reason says what is wrong, without the value when it is not a
	// schema constant.
	Reason string
}

// Compile parses a JSON Schema document.
func Compile(data []byte) (*Schema, error) {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	root, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema root is not an object")
	}
	if d, _ := root["$schema"].(string); d != Draft {
		return nil, fmt.Errorf("schema declares $schema %q; only %s is supported", d, Draft)
	}
	c := &compiler{defs: map[string]*Schema{}, patterns: map[string]*regexp.Regexp{}}
	if defs, ok := root["$defs"]; ok {
		m, ok := defs.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$defs is not an object")
		}
		// Two passes, so a $ref may point at any definition.
		for name := range m {
			c.defs[name] = &Schema{}
		}
		for name, def := range m {
			if err := c.fill(c.defs[name], def, "/$defs/"+name); err != nil {
				return nil, err
			}
		}
	}
	s, err := c.compile(root, "")
	if err != nil {
		return nil, err
	}
	for _, r := range c.refs {
		name, ok := strings.CutPrefix(r.ref, "#/$defs/")
		target := c.defs[name]
		if !ok || target == nil {
			return nil, fmt.Errorf("$ref %q: only references to this schema's $defs are supported", r.ref)
		}
		r.refTo = target
	}
	return s, nil
}

type compiler struct {
	defs     map[string]*Schema
	patterns map[string]*regexp.Regexp // each pattern compiled once
	refs     []*Schema                 // schemas with a $ref to resolve
}

func (c *compiler) compile(v any, at string) (*Schema, error) {
	s := &Schema{}
	if err := c.fill(s, v, at); err != nil {
		return nil, err
	}
	return s, nil
}

// fill compiles the schema v, found at the JSON pointer at, into s.
func (c *compiler) fill(s *Schema, v any, at string) error {
	if b, ok := v.(bool); ok {
		s.always = &b
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("schema at %q is neither an object nor a boolean", at)
	}
	bad := func(kw string) error { return fmt.Errorf("schema at %q: invalid %s", at, kw) }
	for kw, val := range m {
		switch kw {
		case "$schema", "$id", "$defs", "title", "description", "format":
			// annotations ($defs are compiled by Compile, at the root only)
			if kw == "$defs" && at != "" {
				return fmt.Errorf("schema at %q: $defs only at the root", at)
			}
			if kw == "$schema" && at != "" {
				return fmt.Errorf("schema at %q: $schema only at the root", at)
			}
		case "type":
			switch t := val.(type) {
			case string:
				s.types = []string{t}
			case []any:
				for _, x := range t {
					name, ok := x.(string)
					if !ok {
						return bad(kw)
					}
					s.types = append(s.types, name)
				}
			default:
				return bad(kw)
			}
			for _, t := range s.types {
				if !slices.Contains([]string{"null", "boolean", "object", "array", "number", "integer", "string"}, t) {
					return fmt.Errorf("schema at %q: unknown type %q", at, t)
				}
			}
		case "enum":
			e, ok := val.([]any)
			if !ok {
				return bad(kw)
			}
			s.enum = e
		case "$ref":
			r, ok := val.(string)
			if !ok {
				return bad(kw)
			}
			s.ref = r
			c.refs = append(c.refs, s)
		case "properties":
			props, ok := val.(map[string]any)
			if !ok {
				return bad(kw)
			}
			s.properties = make(map[string]*Schema, len(props))
			for name, p := range props {
				ps, err := c.compile(p, at+"/properties/"+name)
				if err != nil {
					return err
				}
				s.properties[name] = ps
			}
		case "required":
			req, ok := val.([]any)
			if !ok {
				return bad(kw)
			}
			for _, x := range req {
				name, ok := x.(string)
				if !ok {
					return bad(kw)
				}
				s.required = append(s.required, name)
			}
		case "additionalProperties":
			as, err := c.compile(val, at+"/additionalProperties")
			if err != nil {
				return err
			}
			if as.always == nil || !*as.always {
				s.additional = as
			}
		case "items":
			is, err := c.compile(val, at+"/items")
			if err != nil {
				return err
			}
			s.items = is
		case "pattern":
			p, ok := val.(string)
			if !ok {
				return bad(kw)
			}
			re, ok := c.patterns[p]
			if !ok {
				var err error
				if re, err = regexp.Compile(p); err != nil {
					return fmt.Errorf("schema at %q: pattern: %w", at, err)
				}
				c.patterns[p] = re
			}
			s.pattern = re
		case "minimum", "maximum":
			n, ok := val.(float64)
			if !ok {
				return bad(kw)
			}
			r := new(big.Rat).SetFloat64(n)
			if kw == "minimum" {
				s.minimum = r
			} else {
				s.maximum = r
			}
		default:
			return fmt.Errorf("schema at %q: keyword %q is not supported by docschema", at, kw)
		}
	}
	return nil
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Validate checks a decoded document (map[string]any, []any, string, bool,
// json.Number, float64, nil) and returns every failure, nil when it is
// valid. Failures come in a fixed order: the properties of an object are
// visited in sorted order (so that, among failures the caller ranks equal,
// which comes first never depends on map iteration).
func (s *Schema) Validate(v any) []Error {
	var errs []Error
	s.validate(v, make([]string, 0, 16), &errs, false)
	if len(errs) > 1 {
		// Sorting every object's keys costs on valid documents, the usual
		// case; only a document with several failures needs the order.
		errs = errs[:0]
		s.validate(v, make([]string, 0, 16), &errs, true)
	}
	return errs
}

func (s *Schema) validate(v any, loc []string, errs *[]Error, sorted bool) {
	fail := func(reason string) {
		e := Error{Reason: reason}
		if len(loc) > 0 {
			e.Location = slices.Clone(loc) // loc's array is reused by siblings
		}
		*errs = append(*errs, e)
	}
	if s.always != nil {
		if !*s.always {
			fail("false schema")
		}
		return
	}
	t := typeOf(v)
	if t == "" {
		fail(fmt.Sprintf("invalid jsonType %T", v))
		return
	}
	if len(s.types) > 0 {
		if !slices.Contains(s.types, t) && !(t == "number" && slices.Contains(s.types, "integer") && isInteger(v)) {
			fail(fmt.Sprintf("got %s, want %s", t, strings.Join(s.types, " or ")))
			return
		}
	}
	if s.enum != nil && !slices.ContainsFunc(s.enum, func(e any) bool { return equal(v, e) }) {
		fail(enumReason(s.enum))
		return
	}
	if s.refTo != nil {
		s.refTo.validate(v, loc, errs, sorted)
	}
	switch v := v.(type) {
	case map[string]any:
		var missing []string
		for _, name := range s.required {
			if _, ok := v[name]; !ok {
				missing = append(missing, name)
			}
		}
		if len(missing) == 1 {
			fail("missing property " + quote(missing[0]))
		} else if len(missing) > 1 {
			fail("missing properties " + joinQuoted(missing))
		}
		var extra []string
		property := func(name string, val any) {
			if ps, ok := s.properties[name]; ok {
				ps.validate(val, append(loc, name), errs, sorted)
			} else if s.additional != nil {
				if s.additional.always != nil { // false
					extra = append(extra, name)
				} else {
					s.additional.validate(val, append(loc, name), errs, sorted)
				}
			}
		}
		if sorted {
			for _, name := range slices.Sorted(mapKeys(v)) {
				property(name, v[name])
			}
		} else {
			for name, val := range v {
				property(name, val)
			}
		}
		if len(extra) > 0 {
			slices.Sort(extra)
			fail("additional properties " + joinQuoted(extra) + " not allowed")
		}
	case []any:
		if s.items != nil {
			for i, item := range v {
				s.items.validate(item, append(loc, strconv.Itoa(i)), errs, sorted)
			}
		}
	case string:
		if s.pattern != nil && !s.pattern.MatchString(v) {
			fail(fmt.Sprintf("%s does not match pattern %s", quote(v), quote(s.pattern.String())))
		}
	case json.Number, float64:
		if s.minimum == nil && s.maximum == nil {
			return
		}
		n, ok := rat(v)
		if !ok {
			return
		}
		if s.minimum != nil && n.Cmp(s.minimum) < 0 {
			fail("minimum: got " + number(n) + ", want " + number(s.minimum))
		}
		if s.maximum != nil && n.Cmp(s.maximum) > 0 {
			fail("maximum: got " + number(n) + ", want " + number(s.maximum))
		}
	}
}

func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

func rat(v any) (*big.Rat, bool) {
	return new(big.Rat).SetString(fmt.Sprint(v))
}

// number renders a number plainly: 4096, 1000000, 1.5.
func number(r *big.Rat) string {
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func isInteger(v any) bool {
	r, ok := rat(v)
	return ok && r.IsInt()
}

// equal is JSON equality, numbers by value.
func equal(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, ok := b[k]
			if !ok || !equal(av, bv) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equal(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number, float64:
		if typeOf(b) != "number" {
			return false
		}
		ra, ok1 := rat(a)
		rb, ok2 := rat(b)
		return ok1 && ok2 && ra.Cmp(rb) == 0
	}
	return a == b
}

func enumReason(want []any) string {
	var parts []string
	for _, w := range want {
		switch w := w.(type) {
		case string:
			parts = append(parts, quote(w))
		case []any, map[string]any:
			return "'enum' failed"
		default:
			parts = append(parts, fmt.Sprintf("%v", w))
		}
	}
	if len(parts) == 1 {
		return "value must be " + parts[0]
	}
	return "value must be one of " + strings.Join(parts, ", ")
}

// quote single-quotes s the way the error messages always have.
func quote(s string) string {
	s = strconv.Quote(s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}

func joinQuoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}
