package store

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// SecretID returns the stable id of a secret declared by owner (a resource
// or a scenario).
func SecretID(owner, key string) string { return owner + "/" + key }

// Check reports what a strategy lacks to be carried out: a generate without
// a generator, a prompt without a label, a delegate without a provider or a
// reference. Nil means the strategy is complete.
func (s Strategy) Check() error {
	switch s.Strategy {
	case Generate:
		if s.Generator == nil || s.Generator.Type == "" {
			return fmt.Errorf("generate strategy has no generator")
		}
	case Prompt:
		if s.Prompt == nil || strings.TrimSpace(s.Prompt.Label) == "" {
			return fmt.Errorf("prompt strategy has no prompt label")
		}
	case Delegate:
		if s.Delegate == nil || s.Delegate.Provider == "" || s.Delegate.Reference == "" {
			return fmt.Errorf("delegate strategy needs a provider and a reference")
		}
	}
	return nil
}

// reservedHintKeys are bundle_hints keys the default creation rules would
// encrypt; a value kept encrypted must never be copied into a manifest.
var reservedHintKeys = []string{"value", "values", "data"}

// checkStrategies refuses bundle_hints that would carry an encrypted value
// into manifests.
func checkStrategies(file, field string, byTier map[string]Strategy) error {
	for _, tier := range sortedKeys(byTier) {
		for key := range byTier[tier].BundleHints {
			if slices.Contains(reservedHintKeys, key) {
				return &DocumentError{File: file, Field: field + "." + tier + ".bundle_hints." + key,
					Reason: "bundle_hints may not use the keys value, values or data: manifests never carry encrypted values"}
			}
		}
	}
	return nil
}

// canonicalTiers rewrites a tier-keyed map to canonical tier ids. field is
// the path of the map, for errors.
func canonicalTiers[V any](cat *TierCatalog, file, field string, in map[string]V) (map[string]V, error) {
	if in == nil {
		return nil, nil
	}
	out := make(map[string]V, len(in))
	from := map[string]string{}
	for _, name := range sortedKeys(in) {
		t, err := cat.Resolve(name)
		if err != nil {
			return nil, &DocumentError{File: file, Field: field + "." + name, Reason: err.Error()}
		}
		if prev, dup := from[t.ID]; dup {
			return nil, &DocumentError{File: file, Field: field + "." + name,
				Reason: fmt.Sprintf("tier %s is also given as %q", t.ID, prev)}
		}
		from[t.ID] = name
		out[t.ID] = in[name]
	}
	return out, nil
}

func sortedKeys[K ~string, V any](m map[K]V) []K { return slices.Sorted(maps.Keys(m)) }

// normalizeConfig checks what the schema cannot and builds the tier catalogue.
func normalizeConfig(file string, c *Config) (*TierCatalog, error) {
	cat, err := NewTierCatalog(c.Tiers)
	if err != nil {
		return nil, &DocumentError{File: file, Field: "tiers", Reason: err.Error()}
	}
	for _, class := range sortedKeys(c.Policy.Defaults) {
		if !slices.Contains(Classifications(), class) {
			return nil, &DocumentError{File: file, Field: "policy.defaults." + string(class),
				Reason: fmt.Sprintf("unknown classification %q; valid: infrastructure, service, user", class)}
		}
		byTier, err := canonicalTiers(cat, file, "policy.defaults."+string(class), c.Policy.Defaults[class])
		if err != nil {
			return nil, err
		}
		if err := checkStrategies(file, "policy.defaults."+string(class), byTier); err != nil {
			return nil, err
		}
		c.Policy.Defaults[class] = byTier
	}
	if c.Sources, err = NormalizeSources(file, "sources", c.Sources); err != nil {
		return nil, err
	}
	if err := checkLedgerBranch(file, c.Ledger.Branch); err != nil {
		return nil, err
	}
	return cat, nil
}

// normalizeSecrets checks one list of secrets and canonicalises their tiers.
func normalizeSecrets(cat *TierCatalog, file, field string, secrets []Secret) error {
	seen := map[string]int{}
	for i := range secrets {
		s := &secrets[i]
		f := field + "[" + strconv.Itoa(i) + "]"
		if j, dup := seen[s.Key]; dup {
			return &DocumentError{File: file, Field: f + ".key",
				Reason: fmt.Sprintf("key %q is already declared at %s[%d]", s.Key, field, j)}
		}
		seen[s.Key] = i
		if s.ValidationPattern != "" {
			if _, err := regexp.Compile(s.ValidationPattern); err != nil {
				return &DocumentError{File: file, Field: f + ".validation_pattern", Reason: "invalid regular expression: " + err.Error()}
			}
		}
		byTier, err := canonicalTiers(cat, file, f+".strategies", s.Strategies)
		if err != nil {
			return err
		}
		if err := checkStrategies(file, f+".strategies", byTier); err != nil {
			return err
		}
		s.Strategies = byTier
	}
	return nil
}

// normalizeResource checks a resource document.
func normalizeResource(cat *TierCatalog, file, name string, r *Resource) error {
	if r.Name != name {
		return &DocumentError{File: file, Field: "name",
			Reason: fmt.Sprintf("name %q does not match the file name (want %q)", r.Name, name)}
	}
	return normalizeSecrets(cat, file, "secrets", r.Secrets)
}

// normalizeScenario checks a scenario document against the catalogue and the
// resources that exist at the same revision.
func normalizeScenario(cat *TierCatalog, file, name string, sc *Scenario, resources []string) error {
	if sc.Name != name {
		return &DocumentError{File: file, Field: "name",
			Reason: fmt.Sprintf("name %q does not match the file name (want %q)", sc.Name, name)}
	}
	for i, t := range sc.Tiers {
		tier, err := cat.Resolve(t)
		if err != nil {
			return &DocumentError{File: file, Field: fmt.Sprintf("tiers[%d]", i), Reason: err.Error()}
		}
		sc.Tiers[i] = tier.ID
	}
	used := map[string]bool{}
	for i, use := range sc.Resources {
		if use.Name == sc.Name {
			return &DocumentError{File: file, Field: fmt.Sprintf("resources[%d].name", i),
				Reason: fmt.Sprintf("a scenario cannot use a resource of its own name %q: secret ids %s/<KEY> would collide", sc.Name, sc.Name)}
		}
		if _, ok := slices.BinarySearch(resources, use.Name); !ok {
			return &DocumentError{File: file, Field: fmt.Sprintf("resources[%d].name", i),
				Reason: (&NotFoundError{Kind: "resource", Name: use.Name, Known: resources}).Error()}
		}
		if used[use.Name] {
			return &DocumentError{File: file, Field: fmt.Sprintf("resources[%d].name", i),
				Reason: fmt.Sprintf("resource %q is listed twice", use.Name)}
		}
		used[use.Name] = true
	}
	if err := normalizeSecrets(cat, file, "secrets", sc.Secrets); err != nil {
		return err
	}
	for _, id := range sortedKeys(sc.Overrides) {
		owner, _, ok := strings.Cut(id, "/")
		if !ok || (owner != sc.Name && !used[owner]) {
			return &DocumentError{File: file, Field: "overrides." + id,
				Reason: fmt.Sprintf("%q is not the id of a secret this scenario uses (want <resource>/<KEY> of a listed resource, or %s/<KEY>)", id, sc.Name)}
		}
		byTier, err := canonicalTiers(cat, file, "overrides."+id, sc.Overrides[id])
		if err != nil {
			return err
		}
		if err := checkStrategies(file, "overrides."+id, byTier); err != nil {
			return err
		}
		sc.Overrides[id] = byTier
	}
	return nil
}
