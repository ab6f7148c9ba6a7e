package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"

	invopop "github.com/invopop/jsonschema"
	schemafiles "github.com/secretsctl/secretsctl/jsonschema"
	"github.com/secretsctl/secretsctl/store/internal/docschema"
)

//go:generate go run ../internal/cmds/genschema -out ../jsonschema

// Kind names a kind of document that has a JSON Schema.
type Kind string

// Document kinds.
const (
	KindConfig   Kind = "config"
	KindResource Kind = "resource"
	KindScenario Kind = "scenario"
	KindManifest Kind = "manifest"
	KindVault    Kind = "vault"
	// KindLedgerEvent is a ledger event, deployments/<scenario>/<deployment>/<event>.yaml.
	KindLedgerEvent Kind = "ledger-event"
)

// Kinds lists every kind with a schema.
func Kinds() []Kind {
	return []Kind{KindConfig, KindResource, KindScenario, KindManifest, KindVault, KindLedgerEvent}
}

func (k Kind) goType() any {
	switch k {
	case KindConfig:
		return &Config{}
	case KindResource:
		return &Resource{}
	case KindScenario:
		return &Scenario{}
	case KindManifest:
		return &Manifest{}
	case KindVault:
		return &Vault{}
	case KindLedgerEvent:
		return &LedgerEvent{}
	}
	panic(fmt.Sprintf("store: unknown document kind %q", string(k)))
}

// SchemaID is the $id of a kind's schema.
func SchemaID(k Kind) string {
	return "https://github.com/secretsctl/secretsctl/jsonschema/" + string(k) + ".schema.json"
}

// SchemaOptions tunes [SchemaJSON].
type SchemaOptions struct {
	// SourceDir, when set, is the module root relative to the working
	// directory ("." from the root): field descriptions are then taken from
	// the Go doc comments of this package.
	SourceDir string
}

// SchemaJSON returns the JSON Schema of a kind of document, indented and
// deterministic. These are the files in jsonschema/.
func SchemaJSON(k Kind, opts SchemaOptions) ([]byte, error) {
	r := &invopop.Reflector{ExpandedStruct: true}
	if opts.SourceDir != "" {
		if err := r.AddGoComments("github.com/secretsctl/secretsctl", opts.SourceDir); err != nil {
			return nil, fmt.Errorf("read doc comments: %w", err)
		}
	}
	s := r.Reflect(k.goType())
	s.ID = invopop.ID(SchemaID(k))
	s.Title = "secretsctl " + string(k)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("encode %s schema: %w", k, err)
	}
	return buf.Bytes(), nil
}

// compiled holds the validator of each kind read from a store, compiled
// from the checked-in schema on first use: a command pays only for the
// kinds it reads.
var compiled = func() map[Kind]*compiledKind {
	m := map[Kind]*compiledKind{}
	for _, k := range documentKinds {
		m[k] = &compiledKind{}
	}
	return m
}()

type compiledKind struct {
	once   sync.Once
	schema *docschema.Schema
	err    error
}

// compiledSchema returns a kind's compiled validator.
func compiledSchema(k Kind) (*docschema.Schema, error) {
	c, ok := compiled[k]
	if !ok {
		return nil, fmt.Errorf("%s documents are not read from a store", k)
	}
	c.once.Do(func() {
		raw, err := schemafiles.File(string(k))
		if err != nil {
			c.err = fmt.Errorf("read %s schema: %w", k, err)
			return
		}
		if c.schema, err = docschema.Compile(raw); err != nil {
			c.err = fmt.Errorf("compile %s schema: %w", k, err)
		}
	})
	return c.schema, c.err
}

// documentKinds are the kinds read from the store (the manifest is only
// written).
var documentKinds = []Kind{KindConfig, KindResource, KindScenario, KindVault, KindLedgerEvent}

// kindOf maps a Go document type back to its kind, for generic decoding.
func kindOf(v any) Kind {
	for _, k := range Kinds() {
		if reflect.TypeOf(k.goType()) == reflect.TypeOf(v) {
			return k
		}
	}
	panic(fmt.Sprintf("store: %T is not a document type", v))
}
