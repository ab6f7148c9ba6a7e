package importer

import "strings"

// NormalName is the store name of a Vrooli resource. Vrooli spells one
// resource several ways (resource-claude-code and claude-code,
// unstructured_io and unstructured-io), so names are lower-cased, lose a
// leading "resource-" and have '_' replaced by '-':
//
//	resource-claude-code → claude-code
//	unstructured_io      → unstructured-io
//
// Names that differ only in these ways are one resource in the store.
func NormalName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "resource-")
	return strings.ReplaceAll(n, "_", "-")
}

// normal returns the store name of a resource and records the rename when
// the name changed.
func (v *Vrooli) normal(name string) string {
	n := NormalName(name)
	if n != name && n != "" {
		v.Renamed[name] = n
	}
	return n
}
