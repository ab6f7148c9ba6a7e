package suggest

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// Field is what a proposal decides.
type Field string

// Fields of a proposal.
const (
	FieldClassification Field = "classification"
	FieldStrategy       Field = "strategy"
)

// Proposal is one proposed value and the rule that produced it.
type Proposal struct {
	// ID names the proposal for --accept: <secret id>#classification or
	// <secret id>@<tier>.
	ID     string `json:"id"`
	Secret string `json:"secret"`
	// File is the document the value goes into.
	File           string               `json:"file"`
	Field          Field                `json:"field"`
	Tier           string               `json:"tier,omitempty"`
	Classification store.Classification `json:"classification,omitempty"`
	Strategy       *store.Strategy      `json:"strategy,omitempty"`
	Rule           string               `json:"rule"`
	Because        string               `json:"because"`
}

// Report is every proposal for a revision, in document then secret order.
type Report struct {
	Revision  string     `json:"revision"`
	Proposals []Proposal `json:"proposals"`
}

// owner is a document that declares secrets.
type owner struct {
	name, file string
	secrets    []store.Secret
}

// Propose lists a proposal for every gap of the snapshot: every declared
// secret without a classification, and every secret × tier some scenario
// ships it to where neither the secret, a scenario override nor the
// policy decides a strategy.
func Propose(ctx context.Context, sn *store.Snapshot) (*Report, error) {
	if err := sn.LoadAll(ctx); err != nil {
		return nil, err
	}
	owners, err := owners(sn)
	if err != nil {
		return nil, err
	}
	need, err := neededTiers(sn)
	if err != nil {
		return nil, err
	}
	r := &Report{Revision: sn.Revision, Proposals: []Proposal{}}
	for _, o := range owners {
		for _, s := range o.secrets {
			r.Proposals = append(r.Proposals, proposeFor(sn, o, s, need[store.SecretID(o.name, s.Key)])...)
		}
	}
	return r, nil
}

func proposeFor(sn *store.Snapshot, o owner, s store.Secret, tiers map[string]bool) []Proposal {
	id := store.SecretID(o.name, s.Key)
	var out []Proposal
	class := s.Classification
	if class == "" {
		c := Classify(sn.Tiers(), o.name, s, o.secrets)
		class = c.Class
		out = append(out, Proposal{ID: id + "#classification", Secret: id, File: o.file, Field: FieldClassification,
			Classification: c.Class, Rule: c.Rule, Because: c.Because})
	}
	for _, t := range sn.Tiers().Tiers() {
		if p, ok := hardRule(o, s, class, t); ok {
			out = append(out, p)
			continue
		}
		if !tiers[t.ID] {
			continue
		}
		if _, ok := s.Strategies[t.ID]; ok {
			continue
		}
		if _, ok := sn.Config().Policy.Defaults[class][t.ID]; ok {
			continue
		}
		st, rule, why := StrategyFor(class, t, s)
		out = append(out, Proposal{ID: id + "@" + t.ID, Secret: id, File: o.file, Field: FieldStrategy, Tier: t.ID,
			Classification: class, Strategy: &st, Rule: rule, Because: why})
	}
	return out
}

// owners lists every resource, then every scenario with secrets of its own.
func owners(sn *store.Snapshot) ([]owner, error) {
	var out []owner
	for _, name := range sn.ResourceNames() {
		res, err := sn.Resource(name)
		if err != nil {
			return nil, err
		}
		out = append(out, owner{name, "resources/" + name + ".yaml", res.Secrets})
	}
	for _, name := range sn.ScenarioNames() {
		sc, err := sn.Scenario(name)
		if err != nil {
			return nil, err
		}
		if len(sc.Secrets) > 0 {
			out = append(out, owner{name, "scenarios/" + name + ".yaml", sc.Secrets})
		}
	}
	return out, nil
}

// neededTiers maps a secret id to the tiers some scenario ships it to
// without overriding its strategy there.
func neededTiers(sn *store.Snapshot) (map[string]map[string]bool, error) {
	need := map[string]map[string]bool{}
	add := func(sc *store.Scenario, id string, tiers []store.Tier) {
		for _, t := range tiers {
			if _, overridden := sc.Overrides[id][t.ID]; overridden {
				continue
			}
			if need[id] == nil {
				need[id] = map[string]bool{}
			}
			need[id][t.ID] = true
		}
	}
	for _, name := range sn.ScenarioNames() {
		sc, err := sn.Scenario(name)
		if err != nil {
			return nil, err
		}
		tiers := plan.ShippedTiers(sn.Tiers(), sc)
		for _, s := range sc.Secrets {
			add(sc, store.SecretID(name, s.Key), tiers)
		}
		for _, u := range sc.Resources {
			res, err := sn.Resource(u.Name)
			if err != nil {
				return nil, err
			}
			for _, s := range res.Secrets {
				add(sc, store.SecretID(u.Name, s.Key), tiers)
			}
		}
	}
	return need, nil
}

// Counts counts proposals by rule.
func (r *Report) Counts() map[string]int {
	out := map[string]int{}
	for _, p := range r.Proposals {
		out[p.Rule]++
	}
	return out
}

// Rules lists the rules of r's proposals, sorted.
func (r *Report) Rules() []string { return slices.Sorted(maps.Keys(r.Counts())) }

// hardRule proposes strip for an infrastructure secret whose declared
// strategy on a tier that ships to end users is anything but strip or
// delegate (SPEC §2): the one case where suggest replaces a value the
// store holds, so the reviewer sees the old one in the diff.
func hardRule(o owner, s store.Secret, class store.Classification, t store.Tier) (Proposal, bool) {
	st, ok := s.Strategies[t.ID]
	if !ok || class != store.Infrastructure || !t.ShipsToEndUsers || st.Strategy == store.Strip || st.Strategy == store.Delegate {
		return Proposal{}, false
	}
	id := store.SecretID(o.name, s.Key)
	return Proposal{ID: id + "@" + t.ID, Secret: id, File: o.file, Field: FieldStrategy, Tier: t.ID,
		Classification: class, Strategy: &store.Strategy{Strategy: store.Strip}, Rule: RuleHardRule,
		Because: fmt.Sprintf("an infrastructure secret may only be strip or delegate on %s, which ships to end users; it was %s", t.ID, st.Strategy)}, true
}
