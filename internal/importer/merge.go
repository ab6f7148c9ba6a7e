package importer

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/secretsctl/secretsctl/store"
)

// Result is what an import would change in a store.
type Result struct {
	Change  store.Change
	Created []string // documents that did not exist
	Updated []string // documents that changed
	// Kept lists decisions the store holds that differ from the source's:
	// the store's are kept (they were made by hand after an import).
	Kept []string
}

// Merge compares the imported documents with the store at sn and returns
// the change that brings the store up to date. Descriptions, types,
// required flags, validation patterns and documentation URLs follow the
// source. Decisions (classification, rotation, a strategy on a tier, a
// scenario's override) fill what the store lacks; where the store already
// decided differently its decision is kept and listed in Kept. Tiers, own
// secrets, and secrets or resources the source no longer lists are kept.
// Importing the same source twice changes nothing the second time.
func Merge(sn *store.Snapshot, v *Vrooli) (*Result, error) {
	res := &Result{Change: store.Change{Documents: map[string]any{}}}
	for _, name := range sortedNames(v.Resources) {
		file := "resources/" + name + ".yaml"
		old, err := sn.Resource(name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			res.add(file, v.Resources[name], true)
		case err != nil:
			return nil, err
		default:
			if merged := res.mergeResource(file, old, v.Resources[name]); !reflect.DeepEqual(merged, old) {
				res.add(file, merged, false)
			}
		}
	}
	for _, name := range sortedNames(v.Scenarios) {
		file := "scenarios/" + name + ".yaml"
		old, err := sn.Scenario(name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			res.add(file, v.Scenarios[name], true)
		case err != nil:
			return nil, err
		default:
			if merged := res.mergeScenario(file, old, v.Scenarios[name]); !reflect.DeepEqual(merged, old) {
				res.add(file, merged, false)
			}
		}
	}
	return res, nil
}

func (r *Result) add(file string, doc any, created bool) {
	r.Change.Documents[file] = doc
	if created {
		r.Created = append(r.Created, file)
	} else {
		r.Updated = append(r.Updated, file)
	}
}

// mergeResource updates what the source declares and keeps the rest.
func (r *Result) mergeResource(file string, old, src *store.Resource) *store.Resource {
	out := *old
	out.Secrets = slices.Clone(old.Secrets)
	if src.Description != "" {
		out.Description = src.Description
	}
	for _, s := range src.Secrets {
		i := slices.IndexFunc(out.Secrets, func(o store.Secret) bool { return o.Key == s.Key })
		if i < 0 {
			out.Secrets = append(out.Secrets, s)
			continue
		}
		o := &out.Secrets[i]
		o.Required = s.Required
		update(&o.Description, s.Description)
		update(&o.Type, s.Type)
		update(&o.ValidationPattern, s.ValidationPattern)
		update(&o.DocumentationURL, s.DocumentationURL)
		where := file + ": " + s.Key
		decide(r, where+" classification", &o.Classification, s.Classification)
		decide(r, where+" rotate_after", &o.RotateAfter, s.RotateAfter)
		o.Strategies = r.decideTiers(where+" strategy on ", o.Strategies, s.Strategies)
	}
	return &out
}

// update sets *dst to a value the source declares.
func update[T comparable](dst *T, src T) {
	var zero T
	if src != zero {
		*dst = src
	}
}

// decide fills an undecided *dst with the source's decision, and lists a
// different decision of the store's, which is kept.
func decide[T ~string](r *Result, what string, dst *T, src T) {
	switch {
	case src == "" || *dst == src:
	case *dst == "":
		*dst = src
	default:
		r.Kept = append(r.Kept, fmt.Sprintf("%s: kept the store's %q (the source says %q)", what, *dst, src))
	}
}

// decideTiers adds the source's strategies on tiers the store has none
// for, and lists the tiers where the store's differs (kept). The result is
// a new map: the snapshot's documents are never changed in place.
func (r *Result) decideTiers(what string, old, src map[string]store.Strategy) map[string]store.Strategy {
	if len(src) == 0 {
		return old
	}
	out := maps.Clone(old)
	if out == nil {
		out = map[string]store.Strategy{}
	}
	for _, tier := range sortedNames(src) {
		cur, ok := out[tier]
		switch {
		case !ok:
			out[tier] = src[tier]
		case !reflect.DeepEqual(cur, src[tier]):
			r.Kept = append(r.Kept, fmt.Sprintf("%s%s: kept the store's %s (the source says %s)", what, tier, cur.Strategy, src[tier].Strategy))
		}
	}
	return out
}

// mergeScenario adds the resources and overrides the source lists and
// keeps the rest.
func (r *Result) mergeScenario(file string, old, src *store.Scenario) *store.Scenario {
	out := *old
	out.Resources = slices.Clone(old.Resources)
	if src.Description != "" {
		out.Description = src.Description
	}
	for _, use := range src.Resources {
		i := slices.IndexFunc(out.Resources, func(o store.ResourceUse) bool { return o.Name == use.Name })
		if i < 0 {
			out.Resources = append(out.Resources, use)
		} else {
			out.Resources[i].Optional = use.Optional
		}
	}
	if len(src.Overrides) > 0 && out.Overrides == nil {
		out.Overrides = map[string]map[string]store.Strategy{}
	} else if len(src.Overrides) > 0 {
		out.Overrides = maps.Clone(old.Overrides)
	}
	for _, id := range sortedNames(src.Overrides) {
		out.Overrides[id] = r.decideTiers(file+": override of "+id+" on ", out.Overrides[id], src.Overrides[id])
	}
	return &out
}

func sortedNames[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
