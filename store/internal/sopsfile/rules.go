package sopsfile

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Rule is a resolved sops creation rule: who a new document is encrypted to
// and which of its values are encrypted. At most one of the regex and suffix
// fields may be set; with none, sops' default applies (values under a key
// ending in "_unencrypted" stay clear).
type Rule struct {
	// Recipients are the age public keys (age1…) the data key is encrypted to.
	Recipients []string
	// EncryptedRegex encrypts only values with a key on their path matching it.
	EncryptedRegex string
	// UnencryptedRegex leaves clear the values with a key on their path matching it.
	UnencryptedRegex string
	// EncryptedSuffix encrypts only values with a key on their path ending in it.
	EncryptedSuffix string
	// UnencryptedSuffix leaves clear the values with a key on their path ending in it.
	UnencryptedSuffix string
	// MACOnlyEncrypted makes the MAC cover encrypted values only, so clear
	// values can change without the data key (and without detection).
	MACOnlyEncrypted bool
	// Name says which rule of .sops.yaml this is and what it encrypts, such
	// as "creation rule 2 (path_regex \.yaml$, encrypted_regex ^(value)$)",
	// for error messages; empty for a rule not read from a .sops.yaml.
	Name string
}

// Rules is a parsed .sops.yaml: its creation_rules, in order.
type Rules struct {
	rules []creationRule
}

// creationRule is one entry of creation_rules, as sops v3.13.3 reads it.
type creationRule struct {
	PathRegex         string     `yaml:"path_regex"`
	Age               any        `yaml:"age"` // string (comma-separated) or list
	KeyGroups         []keyGroup `yaml:"key_groups"`
	UnencryptedSuffix string     `yaml:"unencrypted_suffix"`
	EncryptedSuffix   string     `yaml:"encrypted_suffix"`
	UnencryptedRegex  string     `yaml:"unencrypted_regex"`
	EncryptedRegex    string     `yaml:"encrypted_regex"`
	MACOnlyEncrypted  bool       `yaml:"mac_only_encrypted"`

	// Keys and options this package does not support; a rule that sets
	// them is refused when selected rather than silently narrowed.
	PGP                     any    `yaml:"pgp"`
	KMS                     any    `yaml:"kms"`
	GCPKMS                  any    `yaml:"gcp_kms"`
	AzureKeyVault           any    `yaml:"azure_keyvault"`
	VaultURI                any    `yaml:"hc_vault_transit_uri"`
	HCKMS                   any    `yaml:"hckms"`
	UnencryptedCommentRegex string `yaml:"unencrypted_comment_regex"`
	EncryptedCommentRegex   string `yaml:"encrypted_comment_regex"`

	pathRegex *regexp.Regexp
}

// keyGroup is one entry of a rule's key_groups.
type keyGroup struct {
	Age     []string `yaml:"age"`
	PGP     any      `yaml:"pgp"`
	KMS     any      `yaml:"kms"`
	GCPKMS  any      `yaml:"gcp_kms"`
	AzureKV any      `yaml:"azure_keyvault"`
	Vault   any      `yaml:"hc_vault"`
	HCKMS   any      `yaml:"hckms"`
	Merge   any      `yaml:"merge"`
}

// ParseRules parses the creation_rules of a .sops.yaml. Other sections and
// unknown fields are ignored, as sops ignores them. Every regex must compile.
func ParseRules(sopsYAML []byte) (*Rules, error) {
	var file struct {
		CreationRules []creationRule `yaml:"creation_rules"`
	}
	if err := yaml.Unmarshal(sopsYAML, &file); err != nil {
		return nil, fmt.Errorf("parse .sops.yaml: %w", err)
	}
	for i := range file.CreationRules {
		if err := file.CreationRules[i].compile(); err != nil {
			return nil, fmt.Errorf("parse .sops.yaml: creation rule %d: %w", i+1, err)
		}
	}
	return &Rules{rules: file.CreationRules}, nil
}

// compile checks the rule's regexes and keeps its path regex.
func (c *creationRule) compile() error {
	re, err := regexp.Compile(c.PathRegex)
	if err != nil {
		return fmt.Errorf("path_regex: %w", err)
	}
	c.pathRegex = re
	for name, expr := range map[string]string{"encrypted_regex": c.EncryptedRegex, "unencrypted_regex": c.UnencryptedRegex} {
		if _, err := regexp.Compile(expr); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// For returns the first creation rule whose path_regex matches relPath, a
// slash-separated path relative to the directory of the .sops.yaml; a rule
// without path_regex matches every path. The error wraps [ErrNoRule] when
// no rule matches, and names the path.
func (r *Rules) For(relPath string) (Rule, error) {
	for i := range r.rules {
		c := &r.rules[i]
		if c.pathRegex.MatchString(relPath) {
			rule, err := c.resolve()
			if err != nil {
				return Rule{}, fmt.Errorf("creation rule %d for %s: %w", i+1, relPath, err)
			}
			rule.Name = c.describe(i + 1)
			return rule, nil
		}
	}
	return Rule{}, fmt.Errorf("%w %s in .sops.yaml", ErrNoRule, relPath)
}

// describe names the rule by its position, path_regex and the settings
// that decide which values it encrypts.
func (c *creationRule) describe(n int) string {
	var parts []string
	for _, kv := range [][2]string{
		{"path_regex", c.PathRegex},
		{"encrypted_regex", c.EncryptedRegex}, {"unencrypted_regex", c.UnencryptedRegex},
		{"encrypted_suffix", c.EncryptedSuffix}, {"unencrypted_suffix", c.UnencryptedSuffix},
	} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	if c.MACOnlyEncrypted {
		parts = append(parts, "mac_only_encrypted")
	}
	if len(parts) == 0 {
		return fmt.Sprintf("creation rule %d", n)
	}
	return fmt.Sprintf("creation rule %d (%s)", n, strings.Join(parts, ", "))
}

// resolve turns the rule into a [Rule], refusing what is not supported.
func (c *creationRule) resolve() (Rule, error) {
	if t := unsupportedKeys(c.PGP, c.KMS, c.GCPKMS, c.AzureKeyVault, c.VaultURI, c.HCKMS); t != "" {
		return Rule{}, fmt.Errorf("uses %s keys; only age is supported", t)
	}
	if c.UnencryptedCommentRegex != "" || c.EncryptedCommentRegex != "" {
		return Rule{}, errors.New("comment regexes are not supported")
	}
	recipients, err := c.recipients()
	if err != nil {
		return Rule{}, err
	}
	rule := Rule{
		Recipients:        recipients,
		EncryptedRegex:    c.EncryptedRegex,
		UnencryptedRegex:  c.UnencryptedRegex,
		EncryptedSuffix:   c.EncryptedSuffix,
		UnencryptedSuffix: c.UnencryptedSuffix,
		MACOnlyEncrypted:  c.MACOnlyEncrypted,
	}
	return rule, rule.validate()
}

// recipients returns the rule's age recipients from age or key_groups.
func (c *creationRule) recipients() ([]string, error) {
	if len(c.KeyGroups) == 0 {
		return splitRecipients(c.Age)
	}
	if len(c.KeyGroups) > 1 {
		return nil, errors.New("several key_groups (shamir) are not supported")
	}
	g := c.KeyGroups[0]
	if t := unsupportedKeys(g.PGP, g.KMS, g.GCPKMS, g.AzureKV, g.Vault, g.HCKMS, g.Merge); t != "" {
		return nil, fmt.Errorf("key group uses %s; only age is supported", t)
	}
	return splitRecipients(g.Age)
}

// unsupportedKeys names the first non-empty field, in the order given.
func unsupportedKeys(fields ...any) string {
	names := []string{"pgp", "kms", "gcp_kms", "azure_keyvault", "hc_vault", "hckms", "merge"}
	for i, f := range fields {
		if f == nil || f == "" {
			continue
		}
		if l, ok := f.([]any); ok && len(l) == 0 {
			continue
		}
		if i < len(names) {
			return names[i]
		}
		return "non-age"
	}
	return ""
}

// splitRecipients reads an age field: a comma-separated string or a list.
func splitRecipients(field any) ([]string, error) {
	var raw []string
	switch v := field.(type) {
	case nil:
	case string:
		raw = strings.Split(v, ",")
	case []string:
		raw = v
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, fmt.Errorf("age: expected a string in the list, got %T", item)
			}
			raw = append(raw, s)
		}
	default:
		return nil, fmt.Errorf("age: expected a string or a list, got %T", field)
	}
	var out []string
	for _, s := range raw {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// validate checks the rule the way sops checks a creation rule.
func (r Rule) validate() error {
	if len(r.Recipients) == 0 {
		return errors.New("no age recipients")
	}
	set := 0
	for _, s := range []string{r.EncryptedRegex, r.UnencryptedRegex, r.EncryptedSuffix, r.UnencryptedSuffix} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return errors.New("more than one of encrypted_regex, unencrypted_regex, encrypted_suffix, unencrypted_suffix")
	}
	for _, expr := range []string{r.EncryptedRegex, r.UnencryptedRegex} {
		if _, err := regexp.Compile(expr); err != nil {
			return fmt.Errorf("compile regex: %w", err)
		}
	}
	return nil
}

// Encrypts reports whether the rule encrypts a value at the given path of
// mapping keys (sequence items add none), as sops decides it.
func (r Rule) Encrypts(keys ...string) bool {
	w := newWalker(metadataFor(r, nil), nil)
	for _, k := range keys {
		w.pushKey(k)
	}
	return w.shouldEncrypt(false)
}
