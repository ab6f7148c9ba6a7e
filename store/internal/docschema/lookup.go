package docschema

import (
	"slices"
	"strconv"
)

// At returns the schema that applies to the value at an instance location
// (property names and array indexes from the root), following $ref,
// properties, additionalProperties and items; nil when the schema says
// nothing about that location. Callers use it to explain a failure: which
// properties or enum values were allowed there.
func (s *Schema) At(loc []string) *Schema {
	cur := s.resolved()
	for _, tok := range loc {
		if cur == nil {
			return nil
		}
		switch {
		case cur.properties[tok] != nil:
			cur = cur.properties[tok]
		case cur.items != nil && isIndex(tok):
			cur = cur.items
		case cur.additional != nil && cur.additional.always == nil:
			cur = cur.additional
		default:
			return nil
		}
		cur = cur.resolved()
	}
	return cur
}

// Properties lists the property names an object schema declares, sorted.
func (s *Schema) Properties() []string {
	if s = s.resolved(); s == nil {
		return nil
	}
	names := make([]string, 0, len(s.properties))
	for name := range s.properties {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// ClosedObject reports whether an object schema refuses properties it does
// not declare (additionalProperties: false).
func (s *Schema) ClosedObject() bool {
	s = s.resolved()
	return s != nil && s.additional != nil && s.additional.always != nil && !*s.additional.always
}

// EnumStrings lists the string values of the schema's enum, in schema order.
func (s *Schema) EnumStrings() []string {
	if s = s.resolved(); s == nil {
		return nil
	}
	var out []string
	for _, e := range s.enum {
		if str, ok := e.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// resolved follows $ref: a schema whose only content is a reference is the
// schema it refers to.
func (s *Schema) resolved() *Schema {
	for i := 0; s != nil && s.refTo != nil && i < 64; i++ {
		if len(s.properties) > 0 || s.items != nil || s.enum != nil || s.additional != nil {
			return s
		}
		s = s.refTo
	}
	return s
}

func isIndex(tok string) bool {
	_, err := strconv.Atoi(tok)
	return err == nil
}
