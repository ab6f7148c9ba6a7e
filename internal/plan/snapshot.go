package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// NotShippedError is a plan asked for a tier the scenario does not ship to.
type NotShippedError struct {
	Scenario string
	Tier     string
	Ships    []string
}

func (e *NotShippedError) Error() string {
	return fmt.Sprintf("scenario %q does not ship to %s (it ships to %v)", e.Scenario, e.Tier, e.Ships)
}

// ShippedTiers returns the tiers a scenario ships to, in catalogue order.
func ShippedTiers(cat *store.TierCatalog, sc *store.Scenario) []store.Tier {
	var out []store.Tier
	for _, t := range cat.Tiers() {
		if len(sc.Tiers) == 0 || slices.Contains(sc.Tiers, t.ID) {
			out = append(out, t)
		}
	}
	return out
}

// ForSnapshot plans scenario on tier (an id or alias) at the snapshot's
// revision.
func ForSnapshot(sn *store.Snapshot, scenario, tier string) (*store.Manifest, error) {
	t, err := sn.Tiers().Resolve(tier)
	if err != nil {
		return nil, err
	}
	sc, err := sn.Scenario(scenario)
	if err != nil {
		return nil, err
	}
	if len(sc.Tiers) > 0 && !slices.Contains(sc.Tiers, t.ID) {
		return nil, &NotShippedError{Scenario: sc.Name, Tier: t.ID, Ships: sc.Tiers}
	}
	resources := make(map[string]*store.Resource, len(sc.Resources))
	for _, use := range sc.Resources {
		r, err := sn.Resource(use.Name)
		if err != nil {
			return nil, err
		}
		resources[use.Name] = r
	}
	if err := checkOverrides(sc, resources); err != nil {
		return nil, err
	}
	files := []string{store.ConfigFile, "scenarios/" + sc.Name + ".yaml"}
	for name := range resources {
		files = append(files, "resources/"+name+".yaml")
	}
	return Build(Input{
		Tiers: sn.Tiers(), Policy: sn.Config().Policy, Scenario: sc, Resources: resources,
		Tier: t, Revision: sn.Revision, Time: sn.Time, Integrity: sn.IntegrityOf(files...),
	}), nil
}

// Encode renders a manifest as the canonical JSON every interface returns:
// two-space indent, no HTML escaping, a final newline.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// recorded is a manifest as recorded under plans/: without what changes
// with every commit (revision, time, integrity), so a recorded plan changes
// only when the plan does.
type recorded struct {
	*store.Manifest
	Revision    *struct{} `json:"revision,omitempty"`
	GeneratedAt *struct{} `json:"generated_at,omitempty"`
	Integrity   *struct{} `json:"integrity,omitempty"`
}

// Recorded renders a manifest the way plans/<scenario>/<tier>.json holds it.
func Recorded(m *store.Manifest) ([]byte, error) { return Encode(recorded{Manifest: m}) }

// RecordPath is where a scenario's plan for a tier is recorded in the store.
func RecordPath(scenario, tier string) string { return "plans/" + scenario + "/" + tier + ".json" }

// checkOverrides makes sure every override names a secret that exists, so a
// typo is an error rather than an override that silently does nothing.
func checkOverrides(sc *store.Scenario, resources map[string]*store.Resource) error {
	for id := range sc.Overrides {
		owner, key, _ := strings.Cut(id, "/")
		secrets := sc.Secrets
		if r := resources[owner]; r != nil {
			secrets = r.Secrets
		}
		if !slices.ContainsFunc(secrets, func(s store.Secret) bool { return s.Key == key }) {
			return &store.DocumentError{File: "scenarios/" + sc.Name + ".yaml", Field: "overrides." + id,
				Reason: fmt.Sprintf("%s declares no secret %q", owner, key)}
		}
	}
	return nil
}
