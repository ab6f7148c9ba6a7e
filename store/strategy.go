package store

// Classification says whose secret it is.
type Classification string

// The classifications of SPEC §2.
const (
	// Infrastructure secrets belong to the team's own infrastructure and
	// never reach an end user's device.
	Infrastructure Classification = "infrastructure"
	// Service secrets are internal to the app and can be generated.
	Service Classification = "service"
	// User secrets belong to the person running the app.
	User Classification = "user"
	// Unclassified is reported for a secret whose classification is not
	// declared yet (for example right after an import).
	Unclassified Classification = "unclassified"
)

// Classifications lists the declarable classifications.
func Classifications() []Classification {
	return []Classification{Infrastructure, Service, User}
}

// StrategyKind is how a secret is handled on one tier.
type StrategyKind string

// The strategies of SPEC §2.
const (
	Strip       StrategyKind = "strip"
	Generate    StrategyKind = "generate"
	Prompt      StrategyKind = "prompt"
	Delegate    StrategyKind = "delegate"
	Unspecified StrategyKind = "unspecified"
)

// GenerateAt says who generates a generated secret.
type GenerateAt string

// Generation moments.
const (
	// AtBundle: secretsctl generates the value when the bundle is made.
	AtBundle GenerateAt = "bundle"
	// AtInstall: the app generates the value on first start.
	AtInstall GenerateAt = "install"
)

// A Strategy is how one secret is handled on one tier.
type Strategy struct {
	Strategy StrategyKind `json:"strategy" jsonschema:"enum=strip,enum=generate,enum=prompt,enum=delegate"`
	// At is when a generated secret is made; install when omitted.
	At GenerateAt `json:"at,omitempty" jsonschema:"enum=bundle,enum=install"`
	// Generator makes the value of a generated secret.
	Generator *Generator `json:"generator,omitempty"`
	// Prompt is what the user is asked for a prompted secret.
	Prompt *PromptSpec `json:"prompt,omitempty"`
	// Delegate names the provider-managed store of a delegated secret.
	Delegate *DelegateSpec `json:"delegate,omitempty"`
	// Targets are where the value goes in a bundle; an env variable named
	// after the key when omitted.
	Targets []Target `json:"targets,omitempty"`
	// BundleHints are free-form string hints for bundlers, passed through
	// to the manifest as they are. Keys named value, values or data are
	// refused: the default creation rules encrypt them, and a manifest must
	// never carry what the store keeps encrypted.
	BundleHints map[string]string `json:"bundle_hints,omitempty"`
	// Reason explains the choice; required for a scenario override.
	Reason string `json:"reason,omitempty"`
	// Suggested marks a strategy `secretsctl suggest` proposed and nobody
	// has reviewed yet: plans show it as strategy_source suggested and lint
	// warns about it; removing the mark is the review.
	Suggested *Suggestion `json:"suggested,omitempty"`
}

// A Suggestion marks a value `secretsctl suggest` wrote: the rule that
// produced it, so a reviewer can judge the rule rather than the value.
type Suggestion struct {
	// Rule is the id of the rule, such as name/data-store-credential or
	// policy/infrastructure-end-user.
	Rule string `json:"rule" jsonschema:"pattern=^[a-z0-9][a-z0-9/._-]*$"`
	// Because says in words what the rule saw.
	Because string `json:"because,omitempty"`
}

// A Generator describes how a value is generated. Type selects the
// generator; the other fields are its parameters.
type Generator struct {
	Type string `json:"type" jsonschema:"enum=random,enum=password,enum=hex,enum=base64,enum=uuid,enum=jwt-secret,enum=keypair,enum=tls-cert,enum=sqlite-path,enum=derived"`
	// Length in characters (random, password).
	Length int `json:"length,omitempty" jsonschema:"minimum=1,maximum=4096"`
	// Charset of a random value.
	Charset string `json:"charset,omitempty" jsonschema:"enum=alnum,enum=alpha,enum=lower,enum=upper,enum=digits,enum=hex,enum=base64"`
	// Alphabet is an explicit set of characters for a random value.
	Alphabet string `json:"alphabet,omitempty"`
	// Classes a password must contain.
	Classes []string `json:"classes,omitempty" jsonschema:"enum=lower,enum=upper,enum=digits,enum=symbols"`
	// Bytes of randomness (hex, base64, jwt-secret).
	Bytes int `json:"bytes,omitempty" jsonschema:"minimum=1,maximum=4096"`
	// Version of a uuid: v4 or v7.
	Version string `json:"version,omitempty" jsonschema:"enum=v4,enum=v7"`
	// Algorithm of a keypair.
	Algorithm string `json:"algorithm,omitempty" jsonschema:"enum=ed25519,enum=ecdsa-p256,enum=rsa-3072"`
	// Hosts are the subject alternative names of a tls-cert.
	Hosts []string `json:"hosts,omitempty"`
	// ValidDays of a tls-cert.
	ValidDays int `json:"valid_days,omitempty" jsonschema:"minimum=1"`
	// Path of an sqlite-path, relative to the app's data dir.
	Path string `json:"path,omitempty"`
	// Template of a derived value over other secrets of the deployment.
	Template string `json:"template,omitempty"`
	// Weak allows a random, password, hex or base64 value of fewer than
	// 128 bits of entropy, which is otherwise refused; lint reports it.
	Weak bool `json:"weak,omitempty"`
}

// PromptSpec is what the user is asked for a prompted secret.
type PromptSpec struct {
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	HelpURL     string `json:"help_url,omitempty"`
}

// DelegateSpec names the provider-managed store a secret is fetched from.
type DelegateSpec struct {
	Provider  string `json:"provider" jsonschema:"enum=aws-secrets-manager,enum=gcp-secret-manager,enum=azure-key-vault,enum=vault,enum=doppler,enum=infisical,enum=env"`
	Reference string `json:"reference"`
}

// A Target is where a value lands in a bundle.
type Target struct {
	Type string `json:"type" jsonschema:"enum=env,enum=file,enum=config"`
	// Name of the env variable (env).
	Name string `json:"name,omitempty" jsonschema:"pattern=^[A-Za-z_][A-Za-z0-9_]*$"`
	// Path of the file, relative to the output directory (file, config).
	Path string `json:"path,omitempty"`
	// Mode of the file, octal as a string such as "0600" (file).
	Mode string `json:"mode,omitempty" jsonschema:"pattern=^0?[0-7]{3}$"`
	// Template renders the file's content (file).
	Template string `json:"template,omitempty"`
	// Format of a config file.
	Format string `json:"format,omitempty" jsonschema:"enum=json,enum=yaml,enum=dotenv,enum=toml"`
	// Key is the dotted key path inside a config file.
	Key string `json:"key,omitempty"`
}
