package plan

import (
	"fmt"
	"slices"
	"time"

	"github.com/secretsctl/secretsctl/store"
)

// Input is everything a plan is derived from.
type Input struct {
	Tiers     *store.TierCatalog
	Policy    store.Policy
	Scenario  *store.Scenario
	Resources map[string]*store.Resource // every resource the scenario uses
	Tier      store.Tier
	Revision  string
	Time      time.Time
	Integrity string
}

// entry is one secret of the scenario with where it was declared.
type entry struct {
	id       string
	owner    string
	secret   *store.Secret
	required bool
	own      bool // declared by the scenario itself
}

// Build derives the manifest of in.Scenario on in.Tier.
func Build(in Input) *store.Manifest {
	m := &store.Manifest{
		Scenario:      in.Scenario.Name,
		Tier:          in.Tier.ID,
		TierID:        in.Tier.ID,
		Revision:      in.Revision,
		GeneratedAt:   in.Time.UTC(),
		Integrity:     in.Integrity,
		Resources:     []string{},
		Secrets:       []store.ManifestSecret{},
		BundleSecrets: []store.BundleSecret{},
	}
	for _, use := range in.Scenario.Resources {
		m.Resources = append(m.Resources, use.Name)
	}
	slices.Sort(m.Resources)
	var blocking []store.BlockingDetail
	for _, e := range entries(in) {
		ms, code, reason := secretPlan(in, e)
		m.Secrets = append(m.Secrets, ms)
		if code != "" {
			blocking = append(blocking, store.BlockingDetail{Code: code,
				Secret: e.secret.Key, Resource: e.owner, Source: string(ms.StrategySource), Reason: reason})
			continue
		}
		if bs, ok := bundleSecret(ms); ok {
			m.BundleSecrets = append(m.BundleSecrets, bs)
		}
	}
	m.Summary = summarize(m.Secrets, blocking)
	return m
}

// entries lists the scenario's secrets, sorted by id.
func entries(in Input) []entry {
	var out []entry
	for _, use := range in.Scenario.Resources {
		r := in.Resources[use.Name]
		if r == nil {
			continue
		}
		for i := range r.Secrets {
			s := &r.Secrets[i]
			out = append(out, entry{id: store.SecretID(r.Name, s.Key), owner: r.Name, secret: s,
				required: s.Required && !use.Optional})
		}
	}
	for i := range in.Scenario.Secrets {
		s := &in.Scenario.Secrets[i]
		out = append(out, entry{id: store.SecretID(in.Scenario.Name, s.Key), owner: in.Scenario.Name,
			secret: s, required: s.Required, own: true})
	}
	slices.SortFunc(out, func(a, b entry) int {
		if a.id < b.id {
			return -1
		}
		if a.id > b.id {
			return 1
		}
		return 0
	})
	return out
}

// effective returns the strategy that applies to e on tier, and its source.
func effective(in Input, e entry, tier string) (store.Strategy, store.StrategySource) {
	if s, ok := in.Scenario.Overrides[e.id][tier]; ok {
		return s, store.SourceOverride
	}
	if s, ok := e.secret.Strategies[tier]; ok {
		if s.Suggested != nil {
			return s, store.SourceSuggested
		}
		if e.own {
			return s, store.SourceScenario
		}
		return s, store.SourceResource
	}
	if s, ok := in.Policy.Defaults[e.secret.Classification][tier]; ok {
		return s, store.SourcePolicy
	}
	return store.Strategy{Strategy: store.Unspecified}, store.SourceNone
}

// secretPlan builds the manifest entry of one secret and says why it blocks
// the plan (code "" when it does not).
func secretPlan(in Input, e entry) (ms store.ManifestSecret, code, reason string) {
	st, src := effective(in, e, in.Tier.ID)
	class := e.secret.Classification
	if class == "" {
		class = store.Unclassified
	}
	ms = store.ManifestSecret{
		ID:                e.id,
		ResourceName:      e.owner,
		SecretKey:         e.secret.Key,
		SecretType:        orDefault(e.secret.Type, "secret"),
		Required:          e.required,
		Classification:    class,
		Description:       e.secret.Description,
		ValidationPattern: e.secret.ValidationPattern,
		HandlingStrategy:  st.Strategy,
		StrategySource:    src,
		RequiresUserInput: st.Strategy == store.Prompt,
		Targets:           targets(e.secret.Key, st.Targets),
		BundleHints:       st.BundleHints,
		TierStrategies:    map[string]string{},
		Reason:            st.Reason,
	}
	switch st.Strategy {
	case store.Prompt:
		if st.Prompt != nil {
			ms.Prompt = &store.PromptMetadata{Label: st.Prompt.Label, Description: st.Prompt.Description, HelpURL: st.Prompt.HelpURL}
		}
	case store.Generate:
		ms.GeneratorTemplate = st.Generator
		ms.GenerateAt = orDefault(st.At, store.AtInstall)
	case store.Delegate:
		ms.Delegate = st.Delegate
	}
	for _, t := range in.Tiers.Tiers() {
		s, _ := effective(in, e, t.ID)
		ms.TierStrategies[t.ID] = string(s.Strategy)
	}
	code, reason = Blocking(in.Tier, class, st)
	return ms, code, reason
}

// Blocking codes: why a secret cannot be planned. They double as lint rule ids.
const (
	CodeMissingStrategy       = "missing-strategy"
	CodeIncompleteStrategy    = "incomplete-strategy"
	CodeInfrastructureEndUser = "infrastructure-on-end-user-tier"
	CodeMissingClass          = "missing-classification"
)

// Blocking says whether a secret of class with strategy st blocks a plan on
// tier: a code and a one-line reason, or "" and "".
func Blocking(tier store.Tier, class store.Classification, st store.Strategy) (code, reason string) {
	if st.Strategy == store.Unspecified || st.Strategy == "" {
		return CodeMissingStrategy, "no strategy declared for " + tier.ID
	}
	if err := st.Check(); err != nil {
		return CodeIncompleteStrategy, err.Error()
	}
	endUser := tier.ShipsToEndUsers && (st.Strategy == store.Generate || st.Strategy == store.Prompt)
	switch {
	case endUser && class == store.Infrastructure:
		return CodeInfrastructureEndUser, fmt.Sprintf("infrastructure secret planned as %s on %s, which ships to end users: only strip or delegate are allowed", st.Strategy, tier.ID)
	case endUser && (class == store.Unclassified || class == ""):
		return CodeMissingClass, fmt.Sprintf("unclassified secret planned as %s on %s, which ships to end users: declare its classification", st.Strategy, tier.ID)
	}
	return "", ""
}

func targets(key string, declared []store.Target) []store.Target {
	if len(declared) == 0 {
		return []store.Target{{Type: "env", Name: key}}
	}
	return declared
}

func orDefault[T ~string](v, def T) T {
	if v == "" {
		return def
	}
	return v
}
