package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/secretsctl/secretsctl/store"
)

// vrooliService is the part of .vrooli/service.json the import reads.
type vrooliService struct {
	Service struct {
		Description string `json:"description"`
	} `json:"service"`
	Dependencies struct {
		Resources map[string]json.RawMessage `json:"resources"`
	} `json:"dependencies"`
}

// groupOptional names the keys that group resources instead of naming one,
// and the optionality of the resources they hold.
var groupOptional = map[string]bool{"required": false, "optional": true}

// resourceUses reads dependencies.resources into resource name → optional.
// Normally it is an object keyed by resource name ({"postgres":
// {"required": true}}); some manifests group names instead, as a list
// ({"required": ["postgres"], "optional": [{"name": "redis"}]}) or as an
// object keyed by name ({"required": {"postgres": {...}}}), with a
// "details" object beside the groups. A resource listed twice is required
// unless every mention is optional.
func resourceUses(raw map[string]json.RawMessage) (map[string]bool, error) {
	uses := map[string]bool{}
	hasGroups := slices.ContainsFunc(slices.Collect(maps.Keys(raw)), func(k string) bool {
		_, ok := groupOptional[k]
		return ok && isGroup(raw[k])
	})
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		msg := raw[key]
		if optional, ok := groupOptional[key]; ok && isGroup(msg) {
			names, err := groupNames(msg)
			if err != nil {
				return nil, fmt.Errorf("dependencies.resources.%s: %w", key, err)
			}
			for _, n := range names {
				addUse(uses, n, optional)
			}
			continue
		}
		if key == "details" && hasGroups {
			continue
		}
		var dep struct {
			Required *bool `json:"required"`
		}
		if err := json.Unmarshal(msg, &dep); err != nil {
			return nil, fmt.Errorf("dependencies.resources.%s: %w", key, err)
		}
		addUse(uses, key, dep.Required != nil && !*dep.Required)
	}
	return uses, nil
}

func addUse(uses map[string]bool, name string, optional bool) {
	if prev, ok := uses[name]; ok {
		optional = prev && optional
	}
	uses[name] = optional
}

// isGroup reports whether the value of a "required" or "optional" key is a
// group of resources: a list, or an object whose values are all objects
// (a resource's own settings would hold scalars such as "type").
func isGroup(msg json.RawMessage) bool {
	trimmed := bytes.TrimSpace(msg)
	if bytes.HasPrefix(trimmed, []byte("[")) {
		return true
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(trimmed, &obj) != nil {
		return false
	}
	for _, v := range obj {
		if !bytes.HasPrefix(bytes.TrimSpace(v), []byte("{")) {
			return false
		}
	}
	return true
}

// groupNames lists the resource names of a group: list items are names or
// objects with a name; object keys are names.
func groupNames(msg json.RawMessage) ([]string, error) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(msg, &obj) == nil {
		return slices.Sorted(maps.Keys(obj)), nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(msg, &items); err != nil {
		return nil, err
	}
	var names []string
	for _, it := range items {
		var name string
		if json.Unmarshal(it, &name) != nil {
			var o struct{ Name string }
			if err := json.Unmarshal(it, &o); err != nil || o.Name == "" {
				return nil, fmt.Errorf("an item is neither a name nor an object with a name")
			}
			name = o.Name
		}
		names = append(names, name)
	}
	return names, nil
}

func (v *Vrooli) readScenario(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc vrooliService
	if err := json.Unmarshal(data, &doc); err != nil {
		v.skip("%s: not imported: %v", path, err)
		return nil
	}
	name := filepath.Base(filepath.Dir(filepath.Dir(path)))
	if !store.ValidName(name) {
		v.skip("%s: scenario name %q is not a valid store name", path, name)
		return nil
	}
	raw, err := resourceUses(doc.Dependencies.Resources)
	if err != nil {
		v.skip("%s: not imported: %v", path, err)
		return nil
	}
	uses := map[string]bool{}
	for _, res := range slices.Sorted(maps.Keys(raw)) {
		n := v.normal(res)
		if !store.ValidName(n) || n == name {
			v.skip("%s: resource %q cannot be used by scenario %s", path, res, name)
			continue
		}
		addUse(uses, n, raw[res])
	}
	sc := &store.Scenario{Version: store.DocumentVersion, Name: name, Description: doc.Service.Description}
	for _, res := range slices.Sorted(maps.Keys(uses)) {
		sc.Resources = append(sc.Resources, store.ResourceUse{Name: res, Optional: uses[res]})
	}
	v.Scenarios[name] = sc
	return nil
}
