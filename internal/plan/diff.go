package plan

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// Diff is what changes between the plans of two revisions.
type Diff struct {
	// Base is the commit compared against: with [ModeThreeDot] the merge
	// base of BaseRef and HeadRef, else the commit BaseRef names.
	Base string `json:"base"`
	// Head is the commit compared.
	Head string `json:"head"`
	// BaseRef and HeadRef are the revisions as the caller named them
	// (--base, --head); empty when the caller compared snapshots directly.
	BaseRef string `json:"base_ref,omitempty"`
	HeadRef string `json:"head_ref,omitempty"`
	// Mode is [ModeThreeDot], [ModeTwoDot], or empty for two snapshots
	// compared directly.
	Mode string `json:"mode,omitempty"`
	// Integrity is [store.IntegrityUnverified] when a document of either
	// side was read without verifying its MAC (no private key).
	Integrity string     `json:"integrity"`
	Plans     []PlanDiff `json:"plans"`
}

// Comparison modes of a [Diff], named after git's range notations.
const (
	// ModeThreeDot compares the merge base of the two revisions with the
	// head (base...head): what a pull request from head into base changes,
	// as GitHub shows it. Changes made on base since the branch point are
	// not part of it.
	ModeThreeDot = "three-dot"
	// ModeTwoDot compares the two revisions tip to tip (base..head).
	ModeTwoDot = "two-dot"
)

// PlanDiff is the change of one scenario × tier plan.
type PlanDiff struct {
	Scenario string `json:"scenario"`
	Tier     string `json:"tier"`
	// Status is "changed", "added" (planned only at head) or "removed".
	Status  string       `json:"status"`
	Secrets []SecretDiff `json:"secrets"`
}

// SecretDiff is the change of one secret in a plan.
type SecretDiff struct {
	ID string `json:"id"`
	// Change is "changed", "added" or "removed".
	Change string `json:"change"`
	// Fields maps each changed field to its value before and after.
	Fields map[string]FieldChange `json:"fields,omitempty"`
}

// FieldChange is a field's value before and after.
type FieldChange struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

// DiffSnapshots plans every scenario × tier at base and at head and returns
// the plans that differ. Both snapshots' scenarios are decoded.
func DiffSnapshots(ctx context.Context, base, head *store.Snapshot) (*Diff, error) {
	before, err := allPlans(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("plan base %s: %w", base.Revision, err)
	}
	after, err := allPlans(ctx, head)
	if err != nil {
		return nil, fmt.Errorf("plan head %s: %w", head.Revision, err)
	}
	d := &Diff{Base: base.Revision, Head: head.Revision, Integrity: store.IntegrityVerified, Plans: []PlanDiff{}}
	if base.Integrity() == store.IntegrityUnverified || head.Integrity() == store.IntegrityUnverified {
		d.Integrity = store.IntegrityUnverified
	}
	keys := slices.Collect(maps.Keys(before))
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b Pair) int {
		return strings.Compare(a.Scenario+"\x00"+a.Tier, b.Scenario+"\x00"+b.Tier)
	})
	for _, k := range keys {
		if pd, ok := diffPlan(k, before[k], after[k]); ok {
			d.Plans = append(d.Plans, pd)
		}
	}
	return d, nil
}

func allPlans(ctx context.Context, sn *store.Snapshot) (map[Pair]*store.Manifest, error) {
	pairs, err := Pairs(ctx, sn, "", "")
	if err != nil {
		return nil, err
	}
	out := map[Pair]*store.Manifest{}
	return out, Each(ctx, sn, pairs, func(m *store.Manifest) error {
		out[Pair{m.Scenario, m.TierID}] = m
		return nil
	})
}

// diffPlan compares one pair's plans; a nil manifest is a plan that does
// not exist at that revision.
func diffPlan(p Pair, before, after *store.Manifest) (PlanDiff, bool) {
	pd := PlanDiff{Scenario: p.Scenario, Tier: p.Tier, Status: "changed", Secrets: []SecretDiff{}}
	switch {
	case before == nil:
		pd.Status = "added"
	case after == nil:
		pd.Status = "removed"
	}
	old, cur := secretFields(before), secretFields(after)
	ids := slices.Sorted(maps.Keys(old))
	for id := range cur {
		if _, ok := old[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		o, inOld := old[id]
		c, inCur := cur[id]
		switch {
		case !inOld:
			pd.Secrets = append(pd.Secrets, SecretDiff{ID: id, Change: "added", Fields: changes(nil, c)})
		case !inCur:
			pd.Secrets = append(pd.Secrets, SecretDiff{ID: id, Change: "removed", Fields: changes(o, nil)})
		default:
			if f := changes(o, c); len(f) > 0 {
				pd.Secrets = append(pd.Secrets, SecretDiff{ID: id, Change: "changed", Fields: f})
			}
		}
	}
	return pd, len(pd.Secrets) > 0 || pd.Status != "changed"
}

// secretFields flattens what a reviewer cares about in each secret of a
// manifest: strategy, where it came from, class, bundle class, target and
// generator.
func secretFields(m *store.Manifest) map[string]map[string]string {
	out := map[string]map[string]string{}
	if m == nil {
		return out
	}
	bundle := map[string]string{}
	for _, b := range m.BundleSecrets {
		bundle[b.ID] = b.Class
	}
	for _, s := range m.Secrets {
		f := map[string]string{
			"strategy":       string(s.HandlingStrategy),
			"classification": string(s.Classification),
			"bundle_class":   orDash(bundle[s.ID]),
			"target":         targetString(s.Targets[0]),
			"generator":      "-",
		}
		if s.GeneratorTemplate != nil {
			f["generator"] = generatorString(s.GeneratorTemplate, s.GenerateAt)
		}
		if s.Delegate != nil {
			f["delegate"] = s.Delegate.Provider + ":" + s.Delegate.Reference
		}
		out[s.ID] = f
	}
	return out
}

func changes(before, after map[string]string) map[string]FieldChange {
	out := map[string]FieldChange{}
	for _, k := range slices.Sorted(maps.Keys(union(before, after))) {
		b, a := orDash(before[k]), orDash(after[k])
		if b != a {
			out[k] = FieldChange{Before: b, After: a}
		}
	}
	return out
}

func union(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, b)
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func targetString(t store.Target) string {
	switch t.Type {
	case "env":
		return "env:" + t.Name
	case "config":
		return "config:" + t.Path + "#" + t.Key
	}
	return t.Type + ":" + t.Path
}

func generatorString(g *store.Generator, at store.GenerateAt) string {
	s := g.Type
	if g.Length > 0 {
		s += fmt.Sprintf(" length=%d", g.Length)
	}
	if g.Bytes > 0 {
		s += fmt.Sprintf(" bytes=%d", g.Bytes)
	}
	if g.Charset != "" {
		s += " charset=" + g.Charset
	}
	return s + " at=" + string(at)
}
