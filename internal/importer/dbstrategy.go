package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/secretsctl/secretsctl/hooks"
	"github.com/secretsctl/secretsctl/store"
)

// strategyFields are the strategy columns shared by
// secret_deployment_strategies and scenario_secret_strategy_overrides.
type strategyFields struct {
	Handling                       string
	Fallback                       *string
	RequiresInput                  *bool
	PromptLabel, PromptDescription *string
	Generator, Hints               []byte
}

var strategyKinds = []store.StrategyKind{store.Strip, store.Generate, store.Prompt, store.Delegate}

// convert makes a store strategy of a row's strategy columns and lists
// what it cannot carry. A prompt's description is the prompt's; on any
// other strategy it explains the choice and becomes the reason.
func (v *Vrooli) convert(table, label string, f strategyFields) (store.Strategy, bool) {
	kind := store.StrategyKind(f.Handling)
	if !slices.Contains(strategyKinds, kind) {
		v.unmapped(table, label, "row", "unknown handling_strategy %q", f.Handling)
		return store.Strategy{}, false
	}
	st := store.Strategy{Strategy: kind}
	if kind == store.Prompt {
		st.Prompt = &store.PromptSpec{Label: deref(f.PromptLabel), Description: deref(f.PromptDescription)}
	} else {
		st.Reason = deref(f.PromptDescription)
		if deref(f.PromptLabel) != "" {
			v.unmapped(table, label, "prompt_label", "only a prompt strategy has a label in the store (this one is %s)", kind)
		}
	}
	if f.RequiresInput != nil && *f.RequiresInput != (kind == store.Prompt) {
		v.unmapped(table, label, "requires_user_input", "%t on a %s strategy: in the store only a prompt asks the user", *f.RequiresInput, kind)
	}
	if deref(f.Fallback) != "" {
		v.unmapped(table, label, "fallback_strategy", "the store holds one strategy per tier, with no fallback")
	}
	if present(f.Generator) {
		st.Generator = v.generator(table, label, kind, f.Generator)
	}
	if present(f.Hints) {
		st.BundleHints = v.hints(table, label, f.Hints)
	}
	return st, true
}

// present reports whether a JSONB column holds something other than null.
func present(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

// generator maps a generator_template onto a store generator when it is
// one the store knows, with exactly the store's parameters.
func (v *Vrooli) generator(table, label string, kind store.StrategyKind, raw []byte) *store.Generator {
	if kind != store.Generate {
		v.unmapped(table, label, "generator_template", "only a generate strategy has a generator (this one is %s)", kind)
		return nil
	}
	var g store.Generator
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		v.unmapped(table, label, "generator_template", "not a store generator (%v)", err)
		return nil
	}
	if err := hooks.ValidateGenerator(g); err != nil {
		v.unmapped(table, label, "generator_template", "not a store generator (%v)", err)
		return nil
	}
	return &g
}

// reservedHints are the bundle_hints keys the store refuses.
var reservedHints = []string{"value", "values", "data"}

// hints maps a bundle_hints object onto string hints: strings as they
// are, other JSON values as their JSON text.
func (v *Vrooli) hints(table, label string, raw []byte) map[string]string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		v.unmapped(table, label, "bundle_hints", "not a JSON object")
		return nil
	}
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if slices.Contains(reservedHints, k) {
			v.unmapped(table, label, "bundle_hints."+k, "the store refuses the hint keys value, values and data (manifests never carry values)")
			continue
		}
		var s string
		if json.Unmarshal(obj[k], &s) != nil {
			var c bytes.Buffer
			_ = json.Compact(&c, obj[k])
			s = c.String()
		}
		out[k] = s
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// applyOverride carries one scenario_secret_strategy_overrides row into
// its scenario. Its null columns inherit the resource's strategy row on
// the same tier, as in the secrets-manager.
func (v *Vrooli) applyOverride(row DBOverride, refs map[string]secretRef, base map[string]DBStrategy, tiers *store.TierCatalog) {
	ref, ok := refs[row.SecretID]
	if !ok {
		v.unmapped(tableOverrides, row.Scenario+":"+v.rowLabels[row.SecretID]+"@"+row.Tier, "row", "its resource_secrets row was not imported")
		return
	}
	label := row.Scenario + ":" + ref.id() + "@" + row.Tier
	sc, ok := v.Scenarios[row.Scenario]
	if !ok {
		v.unmapped(tableOverrides, label, "row", "scenario %q has no .vrooli/service.json in the checkout", row.Scenario)
		return
	}
	tier, err := tiers.Resolve(row.Tier)
	if err != nil {
		v.unmapped(tableOverrides, label, "row", "%v", err)
		return
	}
	f, ok := inherit(row, base[row.SecretID+"@"+tier.ID])
	if !ok {
		v.unmapped(tableOverrides, label, "row", "no handling_strategy, and the resource has no strategy on %s to inherit", tier.ID)
		return
	}
	st, ok := v.convert(tableOverrides, label, f)
	if !ok {
		return
	}
	st.Reason = overrideReason(deref(row.Reason), st.Reason)
	if sc.Overrides == nil {
		sc.Overrides = map[string]map[string]store.Strategy{}
	}
	if sc.Overrides[ref.id()] == nil {
		sc.Overrides[ref.id()] = map[string]store.Strategy{}
	}
	sc.Overrides[ref.id()][tier.ID] = st
	v.review(row.Scenario+" override of "+ref.id(), v.secret(ref), tier, st)
	v.Database.Overrides++
}

// inherit fills an override's null columns from the resource's strategy.
// The fallback is not inherited: the store has none, and the resource's
// row already lists it.
func inherit(o DBOverride, b DBStrategy) (strategyFields, bool) {
	f := strategyFields{Handling: deref(o.Handling), Fallback: o.Fallback, RequiresInput: o.RequiresInput,
		PromptLabel: o.PromptLabel, PromptDescription: o.PromptDescription, Generator: o.GeneratorTemplate, Hints: o.BundleHints}
	if f.Handling == "" {
		f.Handling = b.Handling
	}
	if f.Handling == "" {
		return f, false
	}
	if b.ID == "" {
		return f, true
	}
	f.PromptLabel = first(f.PromptLabel, b.PromptLabel)
	f.PromptDescription = first(f.PromptDescription, b.PromptDescription)
	f.RequiresInput = first(f.RequiresInput, &b.RequiresInput)
	if f.Generator == nil {
		f.Generator = b.GeneratorTemplate
	}
	if f.Hints == nil {
		f.Hints = b.BundleHints
	}
	return f, true
}

func first[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// overrideReason is the reason a store override needs: the database's
// override_reason, with the strategy's own explanation after it.
func overrideReason(reason, explanation string) string {
	if reason == "" {
		reason = "imported from the Vrooli secrets-manager database (no override_reason recorded)"
	}
	if explanation != "" && explanation != reason {
		return fmt.Sprintf("%s (%s)", reason, explanation)
	}
	return reason
}
