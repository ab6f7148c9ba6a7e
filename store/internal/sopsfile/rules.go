package sopsfile

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/getsops/sops/v3"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	"gopkg.in/yaml.v3"
)

// Rule is a resolved sops creation rule: who a new document's data key is
// encrypted to and which of its values are encrypted. At most one of the
// regex and suffix fields may be set; with none, sops' default applies
// (values under a key ending in "_unencrypted" stay clear).
type Rule struct {
	// KeyGroups are the master keys of every type sops knows (age, pgp,
	// kms, gcp_kms, azure_keyvault, hc_vault, hckms), one group per shamir
	// share, as sops' config package builds them from .sops.yaml. When it
	// is empty, the data key is encrypted to Recipients in one group.
	KeyGroups []sops.KeyGroup
	// ShamirThreshold is how many of several key groups must open the data
	// key; 0 means all of them.
	ShamirThreshold int
	// Recipients are the age public keys (age1…) the data key is encrypted
	// to when KeyGroups is empty. [Rules.For] sets it to the age recipients
	// of its key groups.
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
	data  []byte // the file, for sops' config package
	rules []creationRule
}

// creationRule is what this package reads of one entry of creation_rules:
// where it applies and what it encrypts, for matching and naming it. Its
// keys are read by sops' config package.
type creationRule struct {
	PathRegex               string `yaml:"path_regex"`
	UnencryptedSuffix       string `yaml:"unencrypted_suffix"`
	EncryptedSuffix         string `yaml:"encrypted_suffix"`
	UnencryptedRegex        string `yaml:"unencrypted_regex"`
	EncryptedRegex          string `yaml:"encrypted_regex"`
	MACOnlyEncrypted        bool   `yaml:"mac_only_encrypted"`
	UnencryptedCommentRegex string `yaml:"unencrypted_comment_regex"`
	EncryptedCommentRegex   string `yaml:"encrypted_comment_regex"`

	pathRegex *regexp.Regexp
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
	return &Rules{data: sopsYAML, rules: file.CreationRules}, nil
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
			rule, err := c.resolve(r.data, relPath)
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

// resolve turns the rule into a [Rule]: its keys and options as sops'
// config package reads them from the file for relPath, refusing what this
// package does not support.
func (c *creationRule) resolve(sopsYAML []byte, relPath string) (Rule, error) {
	if c.UnencryptedCommentRegex != "" || c.EncryptedCommentRegex != "" {
		return Rule{}, errors.New("comment regexes are not supported")
	}
	conf, err := loadSopsConfig(sopsYAML, relPath)
	if err != nil {
		return Rule{}, err
	}
	rule := Rule{
		KeyGroups:         conf.KeyGroups,
		ShamirThreshold:   conf.ShamirThreshold,
		Recipients:        ageRecipients(conf.KeyGroups),
		EncryptedRegex:    conf.EncryptedRegex,
		UnencryptedRegex:  conf.UnencryptedRegex,
		EncryptedSuffix:   conf.EncryptedSuffix,
		UnencryptedSuffix: conf.UnencryptedSuffix,
		MACOnlyEncrypted:  conf.MACOnlyEncrypted,
	}
	return rule, rule.validate()
}

// loadSopsConfig is sops' config.LoadCreationRuleForFile on the bytes of a
// .sops.yaml (which holds no secret): sops reads only files, so they are
// written to a temporary file, removed at once.
func loadSopsConfig(sopsYAML []byte, relPath string) (*config.Config, error) {
	f, err := os.CreateTemp("", "secretsctl-sops-*.yaml")
	if err != nil {
		return nil, fmt.Errorf("read creation rule: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(sopsYAML)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("read creation rule: %w", err)
	}
	conf, err := config.LoadCreationRuleForFile(f.Name(), relPath, nil)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "error loading config: "))
	}
	if conf == nil {
		return nil, fmt.Errorf("%w %s in .sops.yaml", ErrNoRule, relPath)
	}
	return conf, nil
}

// ageRecipients returns the age recipients of the key groups, in order.
func ageRecipients(groups []sops.KeyGroup) []string {
	var out []string
	for _, group := range groups {
		for _, key := range group {
			if mk, ok := key.(*sopsage.MasterKey); ok {
				out = append(out, mk.Recipient)
			}
		}
	}
	return out
}

// Keys names every master key of the rule, in order: an age recipient, a
// PGP fingerprint, a Vault transit key URL, a KMS key ARN or resource.
func (r Rule) Keys() []string {
	if len(r.KeyGroups) == 0 {
		return slices.Clone(r.Recipients)
	}
	var out []string
	for _, group := range r.KeyGroups {
		for _, key := range group {
			out = append(out, key.ToString())
		}
	}
	return out
}

// validate checks the rule the way sops checks a creation rule.
func (r Rule) validate() error {
	if len(r.Recipients) == 0 && len(r.KeyGroups) == 0 {
		return errors.New("no master keys (age, pgp, kms, gcp_kms, azure_keyvault, hc_vault_transit_uri or key_groups)")
	}
	for i, group := range r.KeyGroups {
		if len(group) == 0 {
			return fmt.Errorf("key group %d has no master keys", i+1)
		}
	}
	if len(r.KeyGroups) > 1 && r.ShamirThreshold == 1 {
		return fmt.Errorf("shamir_threshold 1 with %d key groups: sops splits the data key into shares, at least 2 of which must open; for \"any one key\", put the keys in one group", len(r.KeyGroups))
	}
	if len(r.KeyGroups) > 1 && r.ShamirThreshold > len(r.KeyGroups) {
		return fmt.Errorf("shamir_threshold %d is more than the %d key groups", r.ShamirThreshold, len(r.KeyGroups))
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
