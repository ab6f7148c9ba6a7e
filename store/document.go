package store

import "regexp"

// DocumentVersion is the version of the document format this package reads
// and writes.
const DocumentVersion = 1

// Config is secretsctl.yaml: the tier catalogue and the store's policy.
type Config struct {
	Version int `json:"version" jsonschema:"enum=1"`
	// Name of the store, for humans.
	Name string `json:"name,omitempty"`
	// Tiers adds tiers to the built-in five or changes them.
	Tiers []TierSpec `json:"tiers,omitempty"`
	// Policy holds defaults that apply when neither a scenario nor a resource
	// says how a secret is handled.
	Policy Policy `json:"policy,omitempty"`
	// Sources are where local development reads secret values, in order of
	// precedence: the first source that has a secret wins. A developer may
	// replace them in the user config (see docs/store-format.md). When
	// omitted, [DefaultSources] apply.
	Sources []SourceSpec `json:"sources,omitempty"`
	// Ledger says where the issuance ledger lives.
	Ledger LedgerConfig `json:"ledger,omitzero"`
}

// LedgerConfig is the ledger section of secretsctl.yaml.
type LedgerConfig struct {
	// Branch is the git branch that holds the ledger's events;
	// secretsctl/ledger when omitted.
	Branch string `json:"branch,omitempty"`
}

// TierSpec declares or changes a tier in secretsctl.yaml.
type TierSpec struct {
	ID              string   `json:"id" jsonschema:"pattern=^[a-z0-9][a-z0-9-]*$"`
	Name            string   `json:"name,omitempty"`
	Aliases         []string `json:"aliases,omitempty"`
	ShipsToEndUsers *bool    `json:"ships_to_end_users,omitempty"`
}

// Policy holds the store's default strategies.
type Policy struct {
	// Defaults maps a classification, then a tier (id or alias), to the
	// strategy used when nothing more specific is declared.
	Defaults map[Classification]map[string]Strategy `json:"defaults,omitempty"`
}

// Resource is resources/<name>.yaml: a shared resource and the secrets it
// declares.
type Resource struct {
	Version     int      `json:"version" jsonschema:"enum=1"`
	Name        string   `json:"name" jsonschema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	Description string   `json:"description,omitempty"`
	Secrets     []Secret `json:"secrets"`
}

// Scenario is scenarios/<name>.yaml: an app, the resources it uses, its own
// secrets and its per-tier overrides.
type Scenario struct {
	Version     int    `json:"version" jsonschema:"enum=1"`
	Name        string `json:"name" jsonschema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	Description string `json:"description,omitempty"`
	// Tiers the scenario ships to; every tier when omitted.
	Tiers []string `json:"tiers,omitempty"`
	// Resources the scenario uses.
	Resources []ResourceUse `json:"resources,omitempty"`
	// Secrets of the scenario itself, with ids "<scenario>/<KEY>".
	Secrets []Secret `json:"secrets,omitempty"`
	// Overrides maps a secret id, then a tier, to the strategy the scenario
	// uses instead of the resource's. Each needs a reason.
	Overrides map[string]map[string]Strategy `json:"overrides,omitempty"`
}

// ResourceUse is one resource a scenario depends on.
type ResourceUse struct {
	Name string `json:"name" jsonschema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	// Optional marks a resource the scenario can run without: its secrets
	// are reported as not required.
	Optional bool `json:"optional,omitempty"`
}

// Secret is one secret a resource or scenario declares.
type Secret struct {
	Key         string `json:"key" jsonschema:"pattern=^[A-Za-z_][A-Za-z0-9_.-]*$"`
	Description string `json:"description,omitempty"`
	// Type is the kind of value: env_var, password, token, api_key, credential…
	Type     string `json:"type,omitempty"`
	Required bool   `json:"required,omitempty"`
	// ValidationPattern is a regular expression a value must match.
	ValidationPattern string `json:"validation_pattern,omitempty" jsonschema:"format=regex"`
	// Classification is infrastructure, service or user; omitted until decided.
	Classification Classification `json:"classification,omitempty" jsonschema:"enum=infrastructure,enum=service,enum=user"`
	// ClassificationSuggested marks a classification `secretsctl suggest`
	// proposed and nobody has reviewed yet; removing it is the review.
	ClassificationSuggested *Suggestion `json:"classification_suggested,omitempty"`
	// DocumentationURL points at where to learn about or obtain the value.
	DocumentationURL string `json:"documentation_url,omitempty"`
	// RotateAfter is how long an issued value may live, such as "90d".
	RotateAfter string `json:"rotate_after,omitempty" jsonschema:"pattern=^[0-9]+(h|d|w)$"`
	// RotationGrace is how long a rotated value stays valid (status
	// previous) next to its replacement before it is superseded; 7d when
	// omitted.
	RotationGrace string `json:"rotation_grace,omitempty" jsonschema:"pattern=^[0-9]+(h|d|w)$"`
	// Strategies maps a tier (id or alias) to how the secret is handled there.
	Strategies map[string]Strategy `json:"strategies,omitempty"`
}

// nameRE is the shape of every name in a store: resources, scenarios,
// vault scopes, sources, ledger folders. The schemas carry the same pattern.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ValidName reports whether name has the shape of a store name (lower-case
// letters, digits, '.', '_' and '-', not starting with a punctuation mark).
func ValidName(name string) bool { return nameRE.MatchString(name) }
