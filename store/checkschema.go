package store

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store/internal/docschema"
)

// schemaProblems records every schema failure as a problem: an unknown
// field once per field, at its own line, with the closest declared field;
// a value outside an enum with the closest allowed value.
func (c *DocumentCheck) schemaProblems(schema *docschema.Schema, val any, errs []docschema.Error) {
	for _, e := range errs {
		ptr := pointerOf(e.Location)
		sub := schema.At(e.Location)
		at := valueAt(val, e.Location)
		switch obj, isObj := at.(map[string]any); {
		case isObj && sub.ClosedObject() && strings.HasPrefix(e.Reason, "additional properties"):
			c.unknownFields(ptr, obj, sub.Properties())
		case len(sub.EnumStrings()) > 0:
			s, _ := at.(string)
			c.Add(fieldPath(ptr, c.pos), e.Reason+didYouMean(s, sub.EnumStrings()))
		default:
			c.Add(fieldPath(ptr, c.pos), e.Reason)
		}
	}
}

func (c *DocumentCheck) unknownFields(ptr string, obj map[string]any, declared []string) {
	for _, key := range sortedKeys(obj) {
		if slices.Contains(declared, key) {
			continue
		}
		reason := fmt.Sprintf("unknown field %q", key)
		if ptr == "" && key == ConflictKey {
			reason = "unresolved merge conflict: keep one version of each field it lists, then delete " + ConflictKey
			c.Add(fieldPath("/"+escapePointer(key), c.pos), reason)
			continue
		}
		if hint := didYouMean(key, declared); hint != "" {
			reason += hint
		} else {
			reason += "; valid fields: " + strings.Join(declared, ", ")
		}
		c.Add(fieldPath(ptr+"/"+escapePointer(key), c.pos), reason)
	}
}

func pointerOf(loc []string) string {
	var b strings.Builder
	for _, tok := range loc {
		b.WriteString("/" + escapePointer(tok))
	}
	return b.String()
}

// valueAt is the decoded value at an instance location, or nil.
func valueAt(v any, loc []string) any {
	for _, tok := range loc {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			var i int
			if _, err := fmt.Sscan(tok, &i); err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// keyLines maps the JSON pointer of every mapping value to the line of its
// key, so that a problem with a field points at the line that names it.
func keyLines(n *yaml.Node, ptr string, out map[string]int) map[string]int {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			child := ptr + "/" + escapePointer(n.Content[i].Value)
			out[child] = n.Content[i].Line
			keyLines(n.Content[i+1], child, out)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			child := fmt.Sprintf("%s/%d", ptr, i)
			out[child] = item.Line
			keyLines(item, child, out)
		}
	}
	return out
}
