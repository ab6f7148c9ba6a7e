package hooks

import (
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

// Refs are the names a template refers to.
type Refs struct {
	// Keys are secret keys used as fields, such as POSTGRES_PASSWORD in
	// {{ .POSTGRES_PASSWORD }}.
	Keys []string
	// Secrets are secret ids passed to the secret function, such as
	// postgres/POSTGRES_PASSWORD in {{ secret "postgres/POSTGRES_PASSWORD" }}.
	Secrets []string
	// Value is true when the template uses .Value, the value a file target
	// renders; it is not listed in Keys.
	Value bool
}

// SelfKey is the field a file target's template reads its own value from:
// {{ .Value }}.
const SelfKey = "Value"

// TemplateRefs parses a template and lists the secrets it refers to, sorted
// and without repeats. Lint uses it to report references to secrets a
// deployment does not have.
func TemplateRefs(text string) (Refs, error) {
	t, err := parseTemplate("template", text)
	if err != nil {
		return Refs{}, err
	}
	keys, ids := map[string]bool{}, map[string]bool{}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			walk(tt.Root, keys, ids)
		}
	}
	refs := Refs{Value: keys[SelfKey], Secrets: slices.Sorted(maps.Keys(ids))}
	delete(keys, SelfKey)
	refs.Keys = slices.Sorted(maps.Keys(keys))
	return refs, nil
}

func walk(n parse.Node, keys, ids map[string]bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c, keys, ids)
			}
		}
	case *parse.ActionNode:
		walk(n.Pipe, keys, ids)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				walk(c, keys, ids)
			}
		}
	case *parse.CommandNode:
		if len(n.Args) == 2 {
			if fn, ok := n.Args[0].(*parse.IdentifierNode); ok && fn.Ident == "secret" {
				if s, ok := n.Args[1].(*parse.StringNode); ok {
					ids[s.Text] = true
				}
			}
		}
		for _, a := range n.Args {
			walk(a, keys, ids)
		}
	case *parse.FieldNode:
		keys[n.Ident[0]] = true
	case *parse.ChainNode:
		walk(n.Node, keys, ids)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, keys, ids)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, keys, ids)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, keys, ids)
	case *parse.TemplateNode:
		walk(n.Pipe, keys, ids)
	}
}

func walkBranch(b *parse.BranchNode, keys, ids map[string]bool) {
	walk(b.Pipe, keys, ids)
	walk(b.List, keys, ids)
	walk(b.ElseList, keys, ids)
}

// templateData is what a template sees: values by key as its data, by id
// through the secret function.
type templateData struct {
	deployment string
	byID       map[string]string
	byKey      map[string]string
}

// newTemplateData indexes values given by secret id. A key that two
// secrets share is left out of the data: the template must say which one it
// means with the secret function. self is the value a file target renders,
// as .Value; nil elsewhere.
func newTemplateData(deployment string, self *string, byID map[string]string) templateData {
	d := templateData{deployment: deployment, byID: byID, byKey: map[string]string{}}
	shared := map[string]bool{}
	for id, v := range byID {
		key := keyOf(id)
		if _, dup := d.byKey[key]; dup {
			shared[key] = true
		}
		d.byKey[key] = v
	}
	for key := range shared {
		delete(d.byKey, key)
	}
	if self != nil {
		d.byKey[SelfKey] = *self
	}
	return d
}

func keyOf(id string) string {
	if i := strings.LastIndex(id, "/"); i >= 0 {
		return id[i+1:]
	}
	return id
}

func (d templateData) funcs() template.FuncMap {
	return template.FuncMap{
		"secret": func(id string) (string, error) {
			v, ok := d.byID[id]
			if !ok {
				return "", fmt.Errorf("no value for secret %q in this deployment", id)
			}
			return v, nil
		},
		"deployment": func() string { return d.deployment },
	}
}

// placeholders lets a template parse before any value exists.
var placeholders = templateData{}.funcs()

func parseTemplate(name, text string) (*template.Template, error) {
	return template.New(name).Option("missingkey=error").Funcs(placeholders).Parse(text)
}

// renderTemplate executes a template with missing keys as errors. Errors
// name the template and the missing key, never a value.
func renderTemplate(name, text string, d templateData) (string, error) {
	t, err := parseTemplate(name, text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Funcs(d.funcs()).Execute(&b, d.byKey); err != nil {
		return "", fmt.Errorf("render %s: %s", name, d.scrub(err.Error()))
	}
	return b.String(), nil
}

// scrub replaces every value in an error message with [redacted]: some
// text/template errors quote the data they fail on ("range can't iterate
// over ...").
func (d templateData) scrub(msg string) string {
	var values []string
	for _, v := range d.byID {
		values = append(values, v, strings.Trim(strconv.Quote(v), `"`))
	}
	for _, v := range d.byKey {
		values = append(values, v, strings.Trim(strconv.Quote(v), `"`))
	}
	// Longest first, so a value that contains another goes whole.
	slices.SortFunc(values, func(a, b string) int { return len(b) - len(a) })
	for _, v := range values {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, redacted)
		}
	}
	return msg
}

// localPath says whether a slash-separated path is relative, has no ..
// element and names something inside its directory.
func localPath(p string) bool {
	return p != "" && !strings.Contains(p, `\`) && path.Clean(p) == p && filepath.IsLocal(filepath.FromSlash(p))
}
