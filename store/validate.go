package store

import (
	"errors"
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

// problems collects what is wrong with one document, in the order found,
// so that a check can report every problem instead of the first.
type problems struct {
	file string
	list []*DocumentError
}

func (p *problems) add(field, reason string) {
	p.list = append(p.list, &DocumentError{File: p.file, Field: field, Reason: reason})
}

// addErr records an error of a helper: a DocumentError as it is, any other
// as a problem of field.
func (p *problems) addErr(field string, err error) {
	var de *DocumentError
	if errors.As(err, &de) {
		p.list = append(p.list, de)
		return
	}
	p.add(field, err.Error())
}

// first is the first problem found, or nil: what readers of a whole store
// report for a document.
func (p *problems) first() error {
	if len(p.list) == 0 {
		return nil
	}
	return p.list[0]
}

// checkStrategies refuses bundle_hints that would carry an encrypted value
// into manifests.
func checkStrategies(p *problems, field string, byTier map[string]Strategy) {
	for _, tier := range sortedKeys(byTier) {
		for _, key := range sortedKeys(byTier[tier].BundleHints) {
			if slices.Contains(reservedHintKeys, key) {
				p.add(field+"."+tier+".bundle_hints."+key,
					"bundle_hints may not use the keys value, values or data: manifests never carry encrypted values")
			}
		}
	}
}

// canonicalTiers rewrites a tier-keyed map to canonical tier ids, leaving
// out (and reporting) the keys that name no tier. field is the path of the
// map, for problems.
func canonicalTiers[V any](cat *TierCatalog, p *problems, field string, in map[string]V) map[string]V {
	if in == nil {
		return nil
	}
	out := make(map[string]V, len(in))
	from := map[string]string{}
	for _, name := range sortedKeys(in) {
		t, err := cat.Resolve(name)
		if err != nil {
			p.add(field+"."+name, unknownTierReason(cat, name))
			continue
		}
		if prev, dup := from[t.ID]; dup {
			p.add(field+"."+name, fmt.Sprintf("tier %s is also given as %q", t.ID, prev))
			continue
		}
		from[t.ID] = name
		out[t.ID] = in[name]
	}
	return out
}

// unknownTierReason says a tier name is unknown, with the closest valid
// name and the list of valid ones.
func unknownTierReason(cat *TierCatalog, name string) string {
	var names []string
	for _, t := range cat.Tiers() {
		names = append(names, t.ID)
		names = append(names, t.Aliases...)
	}
	return fmt.Sprintf("unknown tier %q%s; valid tiers: %s", name, didYouMean(name, names), strings.Join(cat.Describe(), ", "))
}

func sortedKeys[K ~string, V any](m map[K]V) []K { return slices.Sorted(maps.Keys(m)) }

// normalizeConfig checks what the schema cannot and builds the tier
// catalogue; it returns the first problem.
func normalizeConfig(file string, c *Config) (*TierCatalog, error) {
	p := &problems{file: file}
	cat := checkConfig(p, c)
	return cat, p.first()
}

// checkConfig is normalizeConfig reporting every problem; the catalogue is
// nil when the declared tiers do not make one.
func checkConfig(p *problems, c *Config) *TierCatalog {
	cat, err := NewTierCatalog(c.Tiers)
	if err != nil {
		p.add("tiers", err.Error())
		return nil
	}
	classes := make([]string, 0, 3)
	for _, c := range Classifications() {
		classes = append(classes, string(c))
	}
	for _, class := range sortedKeys(c.Policy.Defaults) {
		field := "policy.defaults." + string(class)
		if !slices.Contains(Classifications(), class) {
			p.add(field, fmt.Sprintf("unknown classification %q%s; valid: infrastructure, service, user",
				class, didYouMean(string(class), classes)))
			continue
		}
		byTier := canonicalTiers(cat, p, field, c.Policy.Defaults[class])
		checkStrategies(p, field, byTier)
		c.Policy.Defaults[class] = byTier
	}
	sources, err := NormalizeSources(p.file, "sources", c.Sources)
	if err != nil {
		p.addErr("sources", err)
	} else {
		c.Sources = sources
	}
	if err := checkLedgerBranch(p.file, c.Ledger.Branch); err != nil {
		p.addErr("ledger.branch", err)
	}
	return cat
}

// checkSecrets checks one list of secrets and canonicalises their tiers.
func checkSecrets(p *problems, cat *TierCatalog, field string, secrets []Secret) {
	seen := map[string]int{}
	for i := range secrets {
		s := &secrets[i]
		f := field + "[" + strconv.Itoa(i) + "]"
		if j, dup := seen[s.Key]; dup {
			p.add(f+".key", fmt.Sprintf("key %q is already declared at %s[%d]", s.Key, field, j))
		} else {
			seen[s.Key] = i
		}
		if s.ValidationPattern != "" {
			if _, err := regexp.Compile(s.ValidationPattern); err != nil {
				p.add(f+".validation_pattern", "invalid regular expression: "+err.Error())
			}
		}
		byTier := canonicalTiers(cat, p, f+".strategies", s.Strategies)
		checkStrategies(p, f+".strategies", byTier)
		s.Strategies = byTier
	}
}

// normalizeResource checks a resource document; it returns the first
// problem.
func normalizeResource(cat *TierCatalog, file, name string, r *Resource) error {
	p := &problems{file: file}
	checkResource(p, cat, name, r)
	return p.first()
}

func checkResource(p *problems, cat *TierCatalog, name string, r *Resource) {
	if r.Name != name {
		p.add("name", fmt.Sprintf("name %q does not match the file name (want %q)", r.Name, name))
	}
	checkSecrets(p, cat, "secrets", r.Secrets)
}

// normalizeScenario checks a scenario document against the catalogue and the
// resources that exist at the same revision; it returns the first problem.
func normalizeScenario(cat *TierCatalog, file, name string, sc *Scenario, resources []string) error {
	p := &problems{file: file}
	checkScenario(p, cat, name, sc, resources)
	return p.first()
}

func checkScenario(p *problems, cat *TierCatalog, name string, sc *Scenario, resources []string) {
	if sc.Name != name {
		p.add("name", fmt.Sprintf("name %q does not match the file name (want %q)", sc.Name, name))
	}
	for i, t := range sc.Tiers {
		tier, err := cat.Resolve(t)
		if err != nil {
			p.add(fmt.Sprintf("tiers[%d]", i), unknownTierReason(cat, t))
			continue
		}
		sc.Tiers[i] = tier.ID
	}
	used := checkUses(p, sc, resources)
	checkSecrets(p, cat, "secrets", sc.Secrets)
	for _, id := range sortedKeys(sc.Overrides) {
		owner, _, ok := strings.Cut(id, "/")
		if !ok || (owner != sc.Name && !used[owner]) {
			p.add("overrides."+id, fmt.Sprintf("%q is not the id of a secret this scenario uses (want <resource>/<KEY> of a listed resource, or %s/<KEY>)", id, sc.Name))
			continue
		}
		byTier := canonicalTiers(cat, p, "overrides."+id, sc.Overrides[id])
		checkStrategies(p, "overrides."+id, byTier)
		sc.Overrides[id] = byTier
	}
}

// checkUses checks the resources a scenario lists and returns the set of
// those it may use.
func checkUses(p *problems, sc *Scenario, resources []string) map[string]bool {
	used := map[string]bool{}
	for i, use := range sc.Resources {
		field := fmt.Sprintf("resources[%d].name", i)
		switch _, exists := slices.BinarySearch(resources, use.Name); {
		case use.Name == sc.Name:
			p.add(field, fmt.Sprintf("a scenario cannot use a resource of its own name %q: secret ids %s/<KEY> would collide", sc.Name, sc.Name))
		case !exists:
			p.add(field, (&NotFoundError{Kind: "resource", Name: use.Name, Known: resources}).Error()+
				didYouMean(use.Name, resources))
		case used[use.Name]:
			p.add(field, fmt.Sprintf("resource %q is listed twice", use.Name))
		default:
			used[use.Name] = true
		}
	}
	return used
}
