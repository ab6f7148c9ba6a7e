package store

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// SourceKind names a kind of source of secret values for local development.
type SourceKind string

// Source kinds.
const (
	// SourceFilesystem is the store's filesystem vault, vault/<scope>.yaml.
	SourceFilesystem SourceKind = "filesystem"
	// SourceDotenv is a .env file in the dialect of docker compose.
	SourceDotenv SourceKind = "dotenv"
	// SourceHashiCorpVault is a HashiCorp Vault KV version 2 secrets engine.
	SourceHashiCorpVault SourceKind = "hashicorp-vault"
)

// SourceKinds lists every source kind.
func SourceKinds() []SourceKind {
	return []SourceKind{SourceFilesystem, SourceDotenv, SourceHashiCorpVault}
}

// DefaultVaultScope is the scope of the filesystem vault when a source or a
// command names none: vault/local.yaml.
const DefaultVaultScope = "local"

// SourceSpec is one source of secret values in secretsctl.yaml's sources
// list (or in a developer's override of it).
type SourceSpec struct {
	// Name identifies the source in output and errors; the kind when omitted.
	Name string `json:"name,omitempty" jsonschema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	// Kind is filesystem, dotenv or hashicorp-vault.
	Kind SourceKind `json:"kind" jsonschema:"enum=filesystem,enum=dotenv,enum=hashicorp-vault"`
	// Optional lets resolution go on without this source when it cannot be
	// read (a missing .env file, Vault down or forbidden). A source that is
	// not optional and cannot be read is an error, never skipped.
	Optional bool `json:"optional,omitempty"`
	// Scope selects the filesystem vault file vault/<scope>.yaml; "local"
	// when omitted.
	Scope string `json:"scope,omitempty" jsonschema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	// Path is, for dotenv, the file to read ({scenario} is replaced by the
	// scenario name; relative to the store, or to the scenario directory
	// with relative_to: scenario). For hashicorp-vault it is the secret's
	// path template inside the mount ({resource} or {owner}, {key},
	// {scenario}, {id}); "{resource}/{key}" when omitted. A template
	// starting with "<mount>/data/" is accepted as well.
	Path string `json:"path,omitempty"`
	// RelativeTo is what a relative dotenv path is relative to: store (the
	// default) or scenario (the scenario's working directory).
	RelativeTo string `json:"relative_to,omitempty" jsonschema:"enum=store,enum=scenario"`
	// Address of the Vault server; $VAULT_ADDR when omitted.
	Address string `json:"address,omitempty"`
	// Namespace of the Vault Enterprise namespace; $VAULT_NAMESPACE when
	// omitted.
	Namespace string `json:"namespace,omitempty"`
	// Mount is the KV v2 mount path; "secret" when omitted.
	Mount string `json:"mount,omitempty"`
	// Field is the field of the KV secret that holds the value, a template
	// like path; "value" when omitted.
	Field string `json:"field,omitempty"`
	// TokenFile is a file holding the Vault token, used when $VAULT_TOKEN is
	// unset; ~/.vault-token when omitted.
	TokenFile string `json:"token_file,omitempty"`
}

// DefaultSources are the sources of a store whose secretsctl.yaml lists
// none: the filesystem vault vault/local.yaml, then an optional .env file
// in the scenario's directory.
func DefaultSources() []SourceSpec {
	return []SourceSpec{
		{Name: "filesystem", Kind: SourceFilesystem, Scope: DefaultVaultScope},
		{Name: "dotenv", Kind: SourceDotenv, Path: ".env", RelativeTo: "scenario", Optional: true},
	}
}

// NormalizeSources fills in the defaults of a sources list (names, scope,
// mount, path template, field) and checks it: names unique, fields that
// belong to the kind, templates well formed. file names the document in
// errors; field is the list's field path ("sources").
func NormalizeSources(file, field string, in []SourceSpec) ([]SourceSpec, error) {
	out := slices.Clone(in)
	seen := map[string]bool{}
	for i := range out {
		s := &out[i]
		at := fmt.Sprintf("%s[%d]", field, i)
		if err := normalizeSource(s); err != nil {
			return nil, &DocumentError{File: file, Field: at, Reason: err.Error()}
		}
		if !ValidName(s.Name) {
			return nil, &DocumentError{File: file, Field: at + ".name", Reason: fmt.Sprintf("invalid source name %q", s.Name)}
		}
		if seen[s.Name] {
			return nil, &DocumentError{File: file, Field: at + ".name", Reason: fmt.Sprintf("duplicate source name %q (give each source of the same kind a name)", s.Name)}
		}
		seen[s.Name] = true
	}
	return out, nil
}

func normalizeSource(s *SourceSpec) error {
	if s.Name == "" {
		s.Name = string(s.Kind)
	}
	misplaced := func(name string, set bool) error {
		if set {
			return fmt.Errorf("%s does not apply to a %s source", name, s.Kind)
		}
		return nil
	}
	vaultOnly := s.Address != "" || s.Namespace != "" || s.Mount != "" || s.Field != "" || s.TokenFile != ""
	switch s.Kind {
	case SourceFilesystem:
		if s.Scope == "" {
			s.Scope = DefaultVaultScope
		}
		return firstErr(misplaced("path", s.Path != ""), misplaced("relative_to", s.RelativeTo != ""),
			misplaced("address, namespace, mount, field and token_file", vaultOnly))
	case SourceDotenv:
		if s.Path == "" {
			return fmt.Errorf("a dotenv source needs a path")
		}
		if s.RelativeTo == "" {
			s.RelativeTo = "store"
		}
		return firstErr(misplaced("scope", s.Scope != ""), misplaced("address, namespace, mount, field and token_file", vaultOnly),
			checkTemplate("path", s.Path, "scenario"))
	case SourceHashiCorpVault:
		if s.Mount == "" {
			s.Mount = "secret"
		}
		s.Mount = strings.Trim(s.Mount, "/")
		if s.Path == "" {
			s.Path = "{resource}/{key}"
		}
		if s.Field == "" {
			s.Field = "value"
		}
		return firstErr(misplaced("scope", s.Scope != ""), misplaced("relative_to", s.RelativeTo != ""),
			checkTemplate("path", s.Path, "resource", "owner", "key", "scenario", "id"),
			checkTemplate("field", s.Field, "resource", "owner", "key", "scenario", "id"))
	}
	return fmt.Errorf("unknown source kind %q; valid kinds: filesystem, dotenv, hashicorp-vault", s.Kind)
}

var placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)

// checkTemplate allows only the named {placeholders} in a template.
func checkTemplate(field, tmpl string, names ...string) error {
	for _, m := range placeholderRE.FindAllStringSubmatch(tmpl, -1) {
		if !slices.Contains(names, m[1]) {
			return fmt.Errorf("%s: unknown placeholder {%s} in %q; known: {%s}", field, m[1], tmpl, strings.Join(names, "}, {"))
		}
	}
	return nil
}

// ExpandTemplate replaces each {name} in a source template by vars[name].
func ExpandTemplate(tmpl string, vars map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(tmpl, func(m string) string {
		if v, ok := vars[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
