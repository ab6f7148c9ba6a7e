package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// DocumentCheck is what [Store.CheckDocument] found in one document: every
// problem, not only the first, each with its line.
type DocumentCheck struct {
	// File is the store-relative path the document is checked as.
	File string
	// Kind is the kind the path gives; "" for files that are not store
	// documents (only their YAML is checked).
	Kind Kind
	// Doc is the decoded document (*Config, *Resource, *Scenario or *Vault)
	// with canonical tier ids, or nil when it could not be decoded.
	Doc any
	// Tiers is the tier catalogue the document was checked against; nil
	// when there is none.
	Tiers *TierCatalog
	// Problems are sorted by line.
	Problems []*DocumentError

	pos  positions
	keys map[string]int
}

// ValidationError lists every problem of one document. It unwraps to each
// problem's [*DocumentError].
type ValidationError struct {
	File     string
	Problems []*DocumentError
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Error()
	}
	lines := []string{fmt.Sprintf("%s: %d problems", e.File, len(e.Problems))}
	for _, p := range e.Problems {
		lines = append(lines, p.Error())
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, so that errors.As finds a [*DocumentError].
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// Err is nil when the document has no problem, else a [*ValidationError].
func (c *DocumentCheck) Err() error {
	if len(c.Problems) == 0 {
		return nil
	}
	return &ValidationError{File: c.File, Problems: c.Problems}
}

// Add records a problem of a field (a path such as
// "secrets[0].strategies.tier-2-desktop"), with the line of the field or of
// its nearest parent the document has, and keeps the problems sorted.
func (c *DocumentCheck) Add(field, reason string) {
	c.Problems = append(c.Problems, &DocumentError{File: c.File, Field: field, Reason: reason, Line: c.line(field)})
	c.sort()
}

// FieldLine is the line of a field exactly as the document writes it (a
// tier key by the name used there), or 0 when the document has no such
// field.
func (c *DocumentCheck) FieldLine(field string) int {
	ptr := fieldPointer(field)
	if l := c.keys[ptr]; l > 0 {
		return l
	}
	return c.pos[ptr].line
}

func (c *DocumentCheck) line(field string) int {
	for {
		ptr := fieldPointer(field)
		if l := c.keys[ptr]; l > 0 {
			return l
		}
		if info, ok := c.pos[ptr]; ok && field != "" {
			return info.line
		}
		i := strings.LastIndexAny(field, ".[")
		if i <= 0 {
			return 0
		}
		field = field[:i]
	}
}

func (c *DocumentCheck) sort() {
	slices.SortStableFunc(c.Problems, func(a, b *DocumentError) int { return cmp.Compare(a.Line, b.Line) })
}

// CheckFile checks a file of the work tree as [Store.CheckDocument] does,
// decrypting it first when it is a SOPS document (which needs the key).
func (s *Store) CheckFile(rel string) (*DocumentCheck, error) {
	data, err := s.readWorktree(rel)
	if err != nil {
		return nil, err
	}
	if sopsfile.IsEncrypted(data) {
		node, _, err := sopsfile.DecryptNodeInfo(data, s.keys)
		if err != nil {
			return nil, sealError(rel, err)
		}
		if data, err = yaml.Marshal(node); err != nil {
			return nil, fmt.Errorf("encode %s: %w", rel, err)
		}
	}
	return s.CheckDocument(rel, data)
}

// CheckDocument validates a plaintext document as the store would read it
// at the store-relative path rel: its YAML, its kind's schema, and its
// references — tiers of the catalogue in the work tree's secretsctl.yaml
// (or the document itself, for that file), resources that exist in the work
// tree, names that match the file. It reports every problem with its line
// and, for a misspelt field, tier, strategy, classification or resource, the
// closest valid name. The error is for what prevents checking at all (the
// store's own configuration cannot be read).
func (s *Store) CheckDocument(rel string, plain []byte) (*DocumentCheck, error) {
	kind, name := kindOfPath(rel)
	c := &DocumentCheck{File: rel, Kind: kind, pos: positions{}}
	doc, err := parseYAML(rel, plain)
	if err != nil {
		c.Problems = append(c.Problems, documentError(rel, err))
		return c, nil
	}
	if kind == "" {
		return c, nil
	}
	v, ok := c.decode(doc)
	if !ok {
		return c, nil
	}
	p := &problems{file: rel}
	switch d := v.(type) {
	case *Config:
		c.Tiers = checkConfig(p, d)
	case *Vault:
		if err := normalizeVault(rel, name, d); err != nil {
			p.addErr("", err)
		}
	default:
		cat, resources, err := s.worktreeContext()
		if err != nil {
			return nil, err
		}
		c.Tiers = cat
		if r, ok := d.(*Resource); ok {
			checkResource(p, cat, name, r)
		} else {
			checkScenario(p, cat, name, d.(*Scenario), resources)
		}
	}
	for _, e := range p.list {
		c.Add(e.Field, e.Reason)
	}
	c.Doc = v
	return c, nil
}

func documentError(file string, err error) *DocumentError {
	var de *DocumentError
	if errors.As(err, &de) {
		return de
	}
	return &DocumentError{File: file, Reason: err.Error()}
}

// decode converts the YAML to the kind's Go type, recording every schema
// problem; ok is false when the document cannot be decoded at all.
func (c *DocumentCheck) decode(doc *yaml.Node) (any, bool) {
	root := doc.Content[0]
	val, derr := toValue(root, "", c.pos, 0)
	if derr != nil {
		derr.File = c.File
		c.Problems = append(c.Problems, derr)
		return nil, false
	}
	c.keys = keyLines(root, "", map[string]int{})
	schema, err := compiledSchema(c.Kind)
	if err != nil {
		c.Add("", err.Error())
		return nil, false
	}
	c.schemaProblems(schema, val, schema.Validate(val))
	v := c.Kind.goType()
	raw, err := json.Marshal(val)
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		if len(c.Problems) == 0 {
			c.Add("", err.Error())
		}
		return nil, false
	}
	return v, true
}

// kindOfPath is the kind of document a store-relative path holds, and its
// name (the file name without .yaml).
func kindOfPath(rel string) (Kind, string) {
	if rel == ConfigFile {
		return KindConfig, ""
	}
	dir, file, ok := strings.Cut(rel, "/")
	name, yml := strings.CutSuffix(file, ".yaml")
	if !ok || !yml || !validName(name) {
		return "", ""
	}
	switch dir {
	case "resources":
		return KindResource, name
	case "scenarios":
		return KindScenario, name
	case "vault":
		return KindVault, name
	}
	return "", ""
}

// worktreeContext is what documents are checked against: the tier
// catalogue of the work tree's secretsctl.yaml and the resources on disk.
// The configuration is decrypted when a key can, else read in clear: it
// only informs the check.
func (s *Store) worktreeContext() (*TierCatalog, []string, error) {
	data, err := s.readWorktree(ConfigFile)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", ConfigFile, err)
	}
	node, err := s.contextNode(data)
	if err != nil {
		return nil, nil, err
	}
	var cfg Config
	pos, err := decodeNode(ConfigFile, node, &cfg)
	if err != nil {
		return nil, nil, err
	}
	cat, err := normalizeConfig(ConfigFile, &cfg)
	if err != nil {
		return nil, nil, withLine(err, pos)
	}
	resources, err := docNames(worktreeSource{s}, "resources")
	if err != nil {
		return nil, nil, fmt.Errorf("list resources: %w", err)
	}
	return cat, resources, nil
}

func (s *Store) contextNode(data []byte) (*yaml.Node, error) {
	if !sopsfile.IsEncrypted(data) {
		return parseYAML(ConfigFile, data)
	}
	node, _, err := sopsfile.DecryptNodeInfo(data, s.keys)
	if errors.Is(err, sopsfile.ErrNoKey) {
		if node, err = sopsfile.CleartextNode(data); err != nil {
			return nil, &DocumentError{File: ConfigFile, Reason: err.Error()}
		}
		return node, nil
	}
	if err != nil {
		return nil, sealError(ConfigFile, err)
	}
	return node, nil
}
