package api

import (
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Parameter limits. A scenario name is checked before it reaches the store
// (and so any path): letters, digits, '.', '_' and '-', not starting with a
// dot.
const (
	maxNameBytes = 128
	maxTierBytes = 64
	maxRevBytes  = 256
)

// checkName validates a scenario or resource name.
func checkName(param, v string) error {
	if v == "" {
		return errf(http.StatusBadRequest, "missing_parameter", "%s is required", param)
	}
	if len(v) > maxNameBytes || !utf8.ValidString(v) || v[0] == '.' {
		return errf(http.StatusBadRequest, "invalid_parameter",
			"%s: want 1 to %d characters from A-Z a-z 0-9 . _ -, not starting with a dot", param, maxNameBytes)
	}
	for i := 0; i < len(v); i++ {
		b := v[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-') {
			return errf(http.StatusBadRequest, "invalid_parameter",
				"%s: want 1 to %d characters from A-Z a-z 0-9 . _ -, not starting with a dot", param, maxNameBytes)
		}
	}
	return nil
}

// checkTier validates a tier parameter's form; the store resolves it.
func checkTier(v string, required bool) error {
	if v == "" {
		if required {
			return errf(http.StatusBadRequest, "missing_parameter", "tier is required (an id such as tier-2-desktop, an alias such as desktop, or 1..5)")
		}
		return nil
	}
	if len(v) > maxTierBytes || !printable(v) {
		return errf(http.StatusBadRequest, "invalid_parameter", "tier: want a tier id or alias of at most %d printable characters", maxTierBytes)
	}
	return nil
}

// checkRev validates a ?rev= value's form; the store resolves it.
func checkRev(param, v string) error {
	if len(v) > maxRevBytes || !printable(v) {
		return errf(http.StatusBadRequest, "invalid_parameter", "%s: want a commit, tag or branch of at most %d printable characters", param, maxRevBytes)
	}
	return nil
}

// printable reports whether v is valid UTF-8 without control characters.
func printable(v string) bool {
	if !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// parseBool parses an optional boolean query parameter.
func parseBool(param, v string, def bool) (bool, error) {
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errf(http.StatusBadRequest, "invalid_parameter", "%s: want true or false", param)
	}
	return b, nil
}

// manifestRequest is what every manifest route asks for.
type manifestRequest struct {
	Scenario        string   `json:"scenario"`
	Tier            string   `json:"tier"`
	Resources       []string `json:"resources"`
	IncludeOptional *bool    `json:"include_optional"`
	Rev             string   `json:"rev"`
	// AllowBlocking asks the deployment route for the manifest even when a
	// required secret blocks it (for display).
	AllowBlocking bool `json:"allow_blocking"`
}

// check validates every field.
func (m *manifestRequest) check() error {
	if err := checkName("scenario", m.Scenario); err != nil {
		return err
	}
	if err := checkTier(m.Tier, true); err != nil {
		return err
	}
	if err := checkRev("rev", m.Rev); err != nil {
		return err
	}
	if len(m.Resources) > 256 {
		return errf(http.StatusBadRequest, "invalid_parameter", "resources: at most 256 names")
	}
	for _, r := range m.Resources {
		if err := checkName("resources[]", r); err != nil {
			return err
		}
	}
	return nil
}

// includeOptional is include_optional, true when not given.
func (m *manifestRequest) includeOptional() bool {
	return m.IncludeOptional == nil || *m.IncludeOptional
}
