// Package sariftest checks SARIF logs against the official SARIF 2.1.0 JSON
// schema, vendored in testdata. Only tests import it.
//
// The schema is sarif-2.1.0-rtm.5.json (OASIS SARIF TC, the final 2.1.0
// schema) as shipped in the npm package @microsoft/jest-sarif 1.0.0-beta.0
// (MIT), sha256 2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8.
package sariftest

import (
	"bytes"
	_ "embed"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed testdata/sarif-schema-2.1.0.json
var schemaJSON []byte

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	const url = "https://json.schemastore.org/sarif-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// Validate fails t unless raw is a SARIF 2.1.0 log valid against the schema.
func Validate(t testing.TB, raw []byte) {
	t.Helper()
	if err := Check(raw); err != nil {
		t.Fatalf("SARIF log does not validate against the SARIF 2.1.0 schema: %v\n%s", err, raw)
	}
}

// Check reports whether raw validates against the SARIF 2.1.0 schema.
func Check(raw []byte) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}
