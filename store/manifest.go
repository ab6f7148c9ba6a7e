package store

import "time"

// StrategySource says which declaration decided a secret's strategy.
type StrategySource string

// Sources of an effective strategy, in the order they are consulted.
const (
	SourceOverride StrategySource = "scenario-override"
	SourceResource StrategySource = "resource"
	// SourceSuggested is a resource's or scenario's own strategy that
	// `secretsctl suggest` wrote and nobody has reviewed yet.
	SourceSuggested StrategySource = "suggested"
	SourceScenario  StrategySource = "scenario"
	SourcePolicy    StrategySource = "policy"
	SourceNone      StrategySource = "none"
)

// Bundle secret classes understood by existing bundlers.
const (
	ClassUserPrompt          = "user_prompt"
	ClassPerInstallGenerated = "per_install_generated"
	ClassRemoteFetch         = "remote_fetch"
)

// Integrity states of a snapshot or manifest.
const (
	IntegrityVerified   = "verified"
	IntegrityUnverified = "unverified"
)

// Manifest is the deployment plan for one scenario on one tier (SPEC §4).
// Its JSON encoding is the contract with deployment-manager and bundlers and
// is field-for-field compatible with the original secrets-manager.
type Manifest struct {
	Scenario string `json:"scenario"`
	// Tier is the canonical tier id, whatever alias was asked for.
	Tier        string    `json:"tier"`
	TierID      string    `json:"tier_id"`
	Revision    string    `json:"revision"`
	GeneratedAt time.Time `json:"generated_at"`
	Integrity   string    `json:"integrity" jsonschema:"enum=verified,enum=unverified"`
	// Resources are the names of the resources used, sorted.
	Resources     []string         `json:"resources"`
	Secrets       []ManifestSecret `json:"secrets"`
	BundleSecrets []BundleSecret   `json:"bundle_secrets"`
	Summary       Summary          `json:"summary"`
}

// ManifestSecret is one secret of a manifest with its effective strategy.
type ManifestSecret struct {
	ID                string            `json:"id"`
	ResourceName      string            `json:"resource_name"`
	SecretKey         string            `json:"secret_key"`
	SecretType        string            `json:"secret_type"`
	Required          bool              `json:"required"`
	Classification    Classification    `json:"classification"`
	Description       string            `json:"description"`
	ValidationPattern string            `json:"validation_pattern"`
	HandlingStrategy  StrategyKind      `json:"handling_strategy"`
	StrategySource    StrategySource    `json:"strategy_source"`
	RequiresUserInput bool              `json:"requires_user_input"`
	Prompt            *PromptMetadata   `json:"prompt,omitempty"`
	GeneratorTemplate *Generator        `json:"generator_template,omitempty"`
	GenerateAt        GenerateAt        `json:"generate_at,omitempty"`
	Delegate          *DelegateSpec     `json:"delegate,omitempty"`
	Targets           []Target          `json:"targets"`
	BundleHints       map[string]string `json:"bundle_hints,omitempty"`
	TierStrategies    map[string]string `json:"tier_strategies"`
	Reason            string            `json:"reason,omitempty"`
}

// PromptMetadata is the prompt shown to the user, in the original shape.
type PromptMetadata struct {
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	HelpURL     string `json:"help_url,omitempty"`
}

// BundleSecret is a secret a bundle carries or obtains at run time.
type BundleSecret struct {
	ID          string          `json:"id"`
	Class       string          `json:"class" jsonschema:"enum=user_prompt,enum=per_install_generated,enum=remote_fetch"`
	Required    bool            `json:"required"`
	Description string          `json:"description"`
	Format      string          `json:"format"`
	Target      BundleTarget    `json:"target"`
	Prompt      *PromptMetadata `json:"prompt,omitempty"`
	Generator   *Generator      `json:"generator,omitempty"`
	GenerateAt  GenerateAt      `json:"generate_at,omitempty"`
	Delegate    *DelegateSpec   `json:"delegate,omitempty"`
}

// BundleTarget is the primary target of a bundle secret.
type BundleTarget struct {
	Type string `json:"type" jsonschema:"enum=env,enum=file"`
	Name string `json:"name"`
}

// Summary counts a manifest's secrets over the full set.
type Summary struct {
	TotalSecrets       int `json:"total_secrets"`
	StrategizedSecrets int `json:"strategized_secrets"`
	// RequiresAction counts secrets an author must still decide (blocking).
	RequiresAction int `json:"requires_action"`
	// BlockingSecrets lists every blocking secret as "resource:KEY", sorted.
	BlockingSecrets       []string         `json:"blocking_secrets"`
	BlockingSecretDetails []BlockingDetail `json:"blocking_secret_details"`
	ClassificationWeights map[string]int   `json:"classification_weights"`
	StrategyBreakdown     map[string]int   `json:"strategy_breakdown"`
	// ScopeReadiness maps each classification present to "ready" or "blocked".
	ScopeReadiness map[string]string `json:"scope_readiness"`
}

// BlockingDetail says why a secret blocks the plan.
type BlockingDetail struct {
	// Code is the lint rule the secret breaks: missing-strategy,
	// incomplete-strategy, infrastructure-on-end-user-tier or
	// missing-classification.
	Code     string `json:"code"`
	Secret   string `json:"secret"`
	Resource string `json:"resource"`
	Source   string `json:"source"`
	Reason   string `json:"reason"`
}
