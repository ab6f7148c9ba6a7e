package store

import (
	"strings"
)

// ValidateForSeal checks a plaintext store document before it is sealed at
// the store-relative path rel, the way readers will check it: YAML, schema
// and references, every problem at once with its line and a "did you mean"
// ([Store.CheckDocument]). `secretsctl seal` and `secretsctl edit` both
// save through [Draft.Save], so they refuse the same documents; they add
// the lint rules of one document through [Draft.Check].
func (s *Store) ValidateForSeal(rel string, plain []byte) error {
	c, err := s.CheckDocument(rel, plain)
	if err != nil {
		return err
	}
	return c.Err()
}

// documentKind tells which kind of document a store-relative path holds:
// "config", "resource", "scenario", "vault", or "" for any other file.
func documentKind(rel string) (dir, name, kind string) {
	if rel == ConfigFile {
		return "", "", "config"
	}
	dir, file, ok := strings.Cut(rel, "/")
	name, isYAML := strings.CutSuffix(file, ".yaml")
	if !ok || !isYAML || strings.Contains(name, "/") || !validName(name) {
		return "", "", ""
	}
	switch dir {
	case "resources":
		return dir, name, "resource"
	case "scenarios":
		return dir, name, "scenario"
	case "vault":
		return dir, name, "vault"
	}
	return "", "", ""
}

// IsDocumentPath reports whether a store-relative path names an authored
// document: secretsctl.yaml, resources/NAME.yaml, scenarios/NAME.yaml or
// vault/SCOPE.yaml.
func IsDocumentPath(rel string) bool {
	_, _, kind := documentKind(rel)
	return kind != ""
}
