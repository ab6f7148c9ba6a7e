// Package jsonschema holds the checked-in JSON Schemas of the store's
// document kinds (generated from the Go types in package store by
// `go generate ./store`; TestSchemasUpToDate keeps them in step). The store
// validates documents against these bytes, embedded here, so reading a store
// does not reflect over the Go types at run time.
package jsonschema

import "embed"

//go:embed *.schema.json
var files embed.FS

// File returns the schema named NAME.schema.json ("config", "resource", …).
func File(name string) ([]byte, error) {
	return files.ReadFile(name + ".schema.json")
}
