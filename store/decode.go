package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store/internal/docschema"
)

// nodeInfo is where a value sits in the YAML source.
type nodeInfo struct {
	line  int
	isSeq bool
}

// positions maps a JSON pointer ("" for the root) to its YAML position.
type positions map[string]nodeInfo

// DecodeDocument parses a plaintext YAML document of the kind of v (one of
// *Config, *Resource, *Scenario), validates it against the kind's schema and
// decodes it into v. file names the document in errors. Every failure is a
// [*DocumentError].
func DecodeDocument(file string, data []byte, v any) error {
	doc, err := parseYAML(file, data)
	if err != nil {
		return err
	}
	_, err = decodeNode(file, doc, v)
	return err
}

// decodeNode is DecodeDocument from a parsed YAML document node; it also
// returns where each value is, so later checks can name lines.
func decodeNode(file string, doc *yaml.Node, v any) (positions, error) {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &DocumentError{File: file, Reason: "empty document"}
	}
	pos := positions{}
	val, derr := toValue(doc.Content[0], "", pos, 0)
	if derr != nil {
		derr.File = file
		return nil, derr
	}
	schema, err := compiledSchema(kindOf(v))
	if err != nil {
		return nil, err
	}
	if errs := schema.Validate(val); len(errs) > 0 {
		return nil, schemaError(file, pos, errs)
	}
	raw, err := json.Marshal(val)
	if err != nil {
		return nil, &DocumentError{File: file, Reason: err.Error()}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, &DocumentError{File: file, Reason: err.Error()}
	}
	return pos, nil
}

// withLine fills in the line of a DocumentError that names a field but no
// line, from the positions of the document it is about.
func withLine(err error, pos positions) error {
	var de *DocumentError
	if errors.As(err, &de) && de.Line == 0 && de.Field != "" {
		de.Line = pos[fieldPointer(de.Field)].line
	}
	return err
}

// fieldPointer is the inverse of fieldPath: "secrets[2].key" -> "/secrets/2/key".
func fieldPointer(field string) string {
	var b strings.Builder
	for _, part := range strings.Split(field, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			b.WriteString("/" + escapePointer(name))
		}
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			b.WriteString("/" + idx)
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return b.String()
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// parseYAML parses a plaintext document: exactly one YAML document.
func parseYAML(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return nil, &DocumentError{File: file, Reason: "empty document"}
	}
	if err != nil {
		e := &DocumentError{File: file, Reason: "malformed YAML: " + yamlLineRE.ReplaceAllString(err.Error(), "")}
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil && m[1] != "" {
			e.Line, _ = strconv.Atoi(m[1])
		}
		return nil, e
	}
	var extra yaml.Node
	if dec.Decode(&extra) == nil {
		return nil, &DocumentError{File: file, Line: extra.Line, Reason: "more than one YAML document in the file (a store document is one document)"}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &DocumentError{File: file, Reason: "empty document"}
	}
	return &doc, nil
}

const maxDepth = 64

// SealKey is the top-level key under which secretsctl seals a document's
// structure (see docs/store-format.md). It is reserved in every document.
const SealKey = "secretsctl_seal"

// toValue converts a YAML node to JSON-compatible Go values: map[string]any,
// []any, string, bool, json.Number, nil.
func toValue(n *yaml.Node, ptr string, pos positions, depth int) (any, *DocumentError) {
	if depth > maxDepth {
		return nil, &DocumentError{Line: n.Line, Field: fieldPath(ptr, pos), Reason: "nested too deeply"}
	}
	pos[ptr] = nodeInfo{line: n.Line, isSeq: n.Kind == yaml.SequenceNode}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, &DocumentError{Line: n.Line, Field: fieldPath(ptr, pos), Reason: "YAML aliases are not allowed in store documents"}
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if ptr == "" && k.Value == SealKey {
				continue // the seal is checked by decryption, not part of the document
			}
			if k.Kind != yaml.ScalarNode {
				return nil, &DocumentError{Line: k.Line, Field: fieldPath(ptr, pos), Reason: "mapping keys must be scalars"}
			}
			if k.Style&yaml.TaggedStyle != 0 {
				return nil, &DocumentError{Line: k.Line, Field: fieldPath(ptr, pos), Reason: fmt.Sprintf("explicit YAML tag %s on key %q: store documents use plain keys", k.Tag, k.Value)}
			}
			if k.Tag == "!!merge" {
				return nil, &DocumentError{Line: k.Line, Field: fieldPath(ptr, pos), Reason: "YAML merge keys are not allowed in store documents"}
			}
			if _, dup := m[k.Value]; dup {
				return nil, &DocumentError{Line: k.Line, Field: fieldPath(ptr, pos), Reason: fmt.Sprintf("duplicate key %q", k.Value)}
			}
			child, err := toValue(v, ptr+"/"+escapePointer(k.Value), pos, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = child
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			child, err := toValue(c, ptr+"/"+strconv.Itoa(i), pos, depth+1)
			if err != nil {
				return nil, err
			}
			s[i] = child
		}
		return s, nil
	case yaml.ScalarNode:
		return scalarValue(n, ptr, pos)
	}
	return nil, &DocumentError{Line: n.Line, Field: fieldPath(ptr, pos), Reason: "unsupported YAML node"}
}

// scalarValue is the value of a scalar as sops' walker, and so the MAC and
// the seal, sees it: what yaml.v3 decodes it to. Reading the raw text
// instead would let `!!binary <base64>` or a re-spelt timestamp change
// what the store reads while the document still verifies. Explicit tags
// are refused outright: the schemas have no binary or timestamp field, and
// no writer of store documents emits one.
func scalarValue(n *yaml.Node, ptr string, pos positions) (any, *DocumentError) {
	bad := func(reason string) *DocumentError {
		return &DocumentError{Line: n.Line, Field: fieldPath(ptr, pos), Reason: reason}
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return nil, bad(fmt.Sprintf("explicit YAML tag %s: store documents hold plain scalars (write the value itself, quoted if it must stay a string)", n.Tag))
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!str":
		return n.Value, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, bad("invalid " + strings.TrimPrefix(n.ShortTag(), "!!"))
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return v, nil
	case bool:
		return v, nil
	case int:
		return json.Number(strconv.Itoa(v)), nil
	case int64:
		return json.Number(strconv.FormatInt(v, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(v, 10)), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, bad("invalid number " + n.Value + ": not finite")
		}
		return json.Number(strconv.FormatFloat(v, 'g', -1, 64)), nil
	case time.Time:
		// What the seal authenticates: the instant, not its spelling.
		return v.UTC().Format(time.RFC3339Nano), nil
	}
	return nil, bad(fmt.Sprintf("unsupported YAML tag %s", n.ShortTag()))
}

var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return pointerEscaper.Replace(s)
}

func unescapePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return pointerUnescaper.Replace(s)
}

// fieldPath renders a JSON pointer as "secrets[2].strategies.desktop".
func fieldPath(ptr string, pos positions) string {
	if ptr == "" {
		return ""
	}
	var b strings.Builder
	parent := ""
	for _, tok := range strings.Split(ptr[1:], "/") {
		if pos[parent].isSeq {
			b.WriteString("[" + tok + "]")
		} else {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(unescapePointer(tok))
		}
		parent += "/" + tok
	}
	return b.String()
}

// schemaError turns validation failures into one DocumentError: the most
// specific cause (the deepest field; the first in the file among equals).
func schemaError(file string, pos positions, errs []docschema.Error) error {
	ptr := func(e docschema.Error) string {
		var b strings.Builder
		for _, tok := range e.Location {
			b.WriteString("/" + escapePointer(tok))
		}
		return b.String()
	}
	best := slices.MinFunc(errs, func(a, b docschema.Error) int {
		return cmp.Or(cmp.Compare(len(b.Location), len(a.Location)),
			cmp.Compare(pos[ptr(a)].line, pos[ptr(b)].line))
	})
	return &DocumentError{
		File:   file,
		Field:  fieldPath(ptr(best), pos),
		Line:   pos[ptr(best)].line,
		Reason: best.Reason,
	}
}

// EncodeYAML renders a document as block-style YAML with the field order of
// its Go type, the way secretsctl writes documents before encryption.
func EncodeYAML(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var n yaml.Node
	if err := yaml.Unmarshal(raw, &n); err != nil {
		return nil, err
	}
	plainStyle(&n)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

// plainStyle drops the flow and quoting styles JSON input leaves on nodes,
// so the encoder picks block style and quotes only where YAML needs it.
func plainStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		plainStyle(c)
	}
}
