package importer

import (
	"errors"
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
}

// Merge compares the imported documents with the store at sn and returns
// the change that brings the store up to date. What the import cannot know
// is kept from the store: classifications, strategies, types, rotation,
// tiers, own secrets, overrides, and secrets or resources the source no
// longer lists. Importing the same source twice changes nothing the second
// time.
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
			if merged := mergeResource(old, v.Resources[name]); !reflect.DeepEqual(merged, old) {
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
			if merged := mergeScenario(old, v.Scenarios[name]); !reflect.DeepEqual(merged, old) {
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
func mergeResource(old, src *store.Resource) *store.Resource {
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
		o.Description, o.Required, o.ValidationPattern, o.DocumentationURL = s.Description, s.Required, s.ValidationPattern, s.DocumentationURL
	}
	return &out
}

// mergeScenario adds the resources the source lists and keeps the rest.
func mergeScenario(old, src *store.Scenario) *store.Scenario {
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
	return &out
}

func sortedNames[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
