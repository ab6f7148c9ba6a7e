package prompt

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/secretsctl/secretsctl/store"
)

// SpecVersion is the version of the prompt spec's JSON shape.
const SpecVersion = 1

// MaxValueSize is the longest answer accepted, in bytes.
const MaxValueSize = 64 << 10

// Spec is what to ask a user, in the order to ask it.
type Spec struct {
	Version  int    `json:"version"`
	Scenario string `json:"scenario"`
	Tier     string `json:"tier"`
	Revision string `json:"revision,omitempty"`
	// Prompts are the manifest's user_prompt bundle secrets, in manifest order.
	Prompts []Field `json:"prompts"`
}

// Field is one prompt.
type Field struct {
	// ID is the stable secret id ("resource/KEY") the answer is stored under.
	ID          string `json:"id"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
	// Pattern is the validation regular expression (RE2), empty for none.
	Pattern  string `json:"pattern,omitempty"`
	HelpURL  string `json:"help_url,omitempty"`
	Required bool   `json:"required"`
	// Multiline is set for values such as PEM keys: a text area, not a
	// one-line input.
	Multiline bool `json:"multiline,omitempty"`
	// Target says where the bundle puts the value (an env variable or a file).
	Target store.BundleTarget `json:"target"`
	// Stored is set by the caller when a value is already stored: an empty
	// answer then keeps it.
	Stored bool `json:"stored,omitempty"`

	re *regexp.Regexp
}

// multilineTypes are secret types whose values span lines.
var multilineTypes = map[string]bool{"certificate": true, "private_key": true, "pem": true, "ssh_key": true, "keypair": true, "tls-cert": true}

// FromManifest collects the prompts of m: its bundle secrets of class
// user_prompt. An invalid validation pattern is an error naming the secret.
func FromManifest(m *store.Manifest) (*Spec, error) {
	secrets := map[string]store.ManifestSecret{}
	for _, s := range m.Secrets {
		secrets[s.ID] = s
	}
	spec := &Spec{Version: SpecVersion, Scenario: m.Scenario, Tier: m.TierID, Revision: m.Revision, Prompts: []Field{}}
	for _, b := range m.BundleSecrets {
		if b.Class != store.ClassUserPrompt {
			continue
		}
		f := Field{ID: b.ID, Label: b.ID, Description: b.Description, Pattern: b.Format, Required: b.Required, Target: b.Target}
		if b.Prompt != nil {
			f.Label = orDefault(b.Prompt.Label, f.Label)
			f.Description = orDefault(b.Prompt.Description, f.Description)
			f.HelpURL = b.Prompt.HelpURL
		}
		s := secrets[b.ID]
		f.Multiline = multilineTypes[s.SecretType] || s.BundleHints["multiline"] == "true" || strings.Contains(f.Pattern, "BEGIN")
		spec.Prompts = append(spec.Prompts, f)
	}
	return spec, spec.compile()
}

// ParseSpec decodes a prompt spec written by [Spec] (or by hand) and checks it.
func ParseSpec(data []byte) (*Spec, error) {
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("prompt spec: %w", err)
	}
	if s.Version != SpecVersion {
		return nil, fmt.Errorf("prompt spec: version %d: want %d", s.Version, SpecVersion)
	}
	seen := map[string]bool{}
	for i, f := range s.Prompts {
		if f.ID == "" || seen[f.ID] {
			return nil, fmt.Errorf("prompt spec: prompts[%d].id: empty or repeated", i)
		}
		seen[f.ID] = true
	}
	return &s, s.compile()
}

func (s *Spec) compile() error {
	for i := range s.Prompts {
		f := &s.Prompts[i]
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			return fmt.Errorf("prompt %s: validation pattern %q: %w", f.ID, f.Pattern, err)
		}
		f.re = re
	}
	return nil
}

// Check says whether v is an acceptable answer. The error never contains v.
// An empty v is acceptable when the field is optional or already stored
// (it means skip or keep).
func (f *Field) Check(v string) error {
	switch {
	case v == "" && f.Required && !f.Stored:
		return &InvalidError{ID: f.ID, Label: f.Label, Reason: "a value is required"}
	case v == "":
		return nil
	case len(v) > MaxValueSize:
		return &InvalidError{ID: f.ID, Label: f.Label, Reason: fmt.Sprintf("longer than %d bytes", MaxValueSize)}
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return &InvalidError{ID: f.ID, Label: f.Label, Reason: "not valid text"}
	case !f.Multiline && strings.ContainsAny(v, "\r\n"):
		return &InvalidError{ID: f.ID, Label: f.Label, Reason: "must be a single line"}
	}
	re := f.re
	if re == nil {
		var err error
		if re, err = regexp.Compile(f.Pattern); err != nil {
			return &InvalidError{ID: f.ID, Label: f.Label, Reason: "the validation pattern is invalid"}
		}
	}
	if !re.MatchString(v) {
		return &InvalidError{ID: f.ID, Label: f.Label, Reason: fmt.Sprintf("does not match the expected format %s", f.Pattern)}
	}
	return nil
}

// InvalidError is an answer that failed validation. It names the prompt,
// never the value.
type InvalidError struct {
	ID     string
	Label  string
	Reason string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%s (%s): %s", e.Label, e.ID, e.Reason) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
