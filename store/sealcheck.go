package store

import (
	"strings"
)

// ValidateForSeal checks a plaintext store document before it is sealed at
// the store-relative path rel, the way readers will check it: one YAML
// document; for secretsctl.yaml, resources/NAME.yaml, scenarios/NAME.yaml
// and vault/SCOPE.yaml also its schema and its references (tiers from the
// work tree's secretsctl.yaml, resources from the work tree). `secretsctl
// seal` and `secretsctl edit` both call it, so that they refuse the same
// documents. A failure is a [*DocumentError] or several joined with
// errors.Join, each naming the file and, where known, the line.
func (s *Store) ValidateForSeal(rel string, plain []byte) error {
	doc, err := parseYAML(rel, plain)
	if err != nil {
		return err
	}
	dir, name, kind := documentKind(rel)
	switch kind {
	case "config":
		var c Config
		pos, err := decodeNode(rel, doc, &c)
		if err != nil {
			return err
		}
		_, err = normalizeConfig(rel, &c)
		return withLine(err, pos)
	case "vault":
		var v Vault
		pos, err := decodeNode(rel, doc, &v)
		if err != nil {
			return err
		}
		return withLine(normalizeVault(rel, name, &v), pos)
	case "":
		return nil
	}
	sn, err := s.Snapshot(ReadOptions{Worktree: true, AllowUnverified: true})
	if err != nil {
		return err
	}
	if dir == "resources" {
		var r Resource
		pos, err := decodeNode(rel, doc, &r)
		if err != nil {
			return err
		}
		return withLine(normalizeResource(sn.Tiers(), rel, name, &r), pos)
	}
	var sc Scenario
	pos, err := decodeNode(rel, doc, &sc)
	if err != nil {
		return err
	}
	return withLine(normalizeScenario(sn.Tiers(), rel, name, &sc, sn.ResourceNames()), pos)
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
