// Package importer reads other tools' secret declarations into store
// documents. It decides nothing it cannot read: classifications and
// strategies stay unset, so they surface as gaps.
package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store"
)

// Vrooli is what a Vrooli checkout declares.
type Vrooli struct {
	Resources map[string]*store.Resource
	Scenarios map[string]*store.Scenario
	// Undeclared maps a resource that scenarios use but that has no
	// secrets declaration to the scenarios using it; it is imported as a
	// resource without secrets.
	Undeclared map[string][]string
	// Skipped explains entries that could not be imported.
	Skipped []string
}

var validKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// ReadVrooli reads resources/*/config/secrets.yaml and
// scenarios/*/.vrooli/service.json under dir.
func ReadVrooli(dir string) (*Vrooli, error) {
	v := &Vrooli{Resources: map[string]*store.Resource{}, Scenarios: map[string]*store.Scenario{}, Undeclared: map[string][]string{}}
	files, err := filepath.Glob(filepath.Join(dir, "resources", "*", "config", "secrets.yaml"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := v.readResource(f); err != nil {
			return nil, err
		}
	}
	files, err = filepath.Glob(filepath.Join(dir, "scenarios", "*", ".vrooli", "service.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 && len(v.Resources) == 0 {
		return nil, fmt.Errorf("%s: no resources/*/config/secrets.yaml nor scenarios/*/.vrooli/service.json: not a Vrooli checkout", dir)
	}
	for _, f := range files {
		if err := v.readScenario(f); err != nil {
			return nil, err
		}
	}
	for _, sc := range v.Scenarios {
		for _, use := range sc.Resources {
			if _, ok := v.Resources[use.Name]; !ok {
				v.Undeclared[use.Name] = append(v.Undeclared[use.Name], sc.Name)
			}
		}
	}
	for name, users := range v.Undeclared {
		sort.Strings(users)
		v.Resources[name] = &store.Resource{Version: store.DocumentVersion, Name: name,
			Description: "imported from Vrooli: no secrets declaration was found for this resource", Secrets: []store.Secret{}}
	}
	sort.Strings(v.Skipped)
	return v, nil
}

// vrooliSecrets is the shape of resources/<name>/config/secrets.yaml.
type vrooliSecrets struct {
	Resource    string               `yaml:"resource"`
	Description string               `yaml:"description"`
	Secrets     map[string]yaml.Node `yaml:"secrets"`
}

// vrooliKeyGroup is the other shape a group takes: a Vault path and the
// key names under it ({"path": ..., "keys": [api_key], "description": ...}).
type vrooliKeyGroup struct {
	Keys        []string `yaml:"keys"`
	Description string   `yaml:"description"`
}

// details reads one group of secrets, in either shape.
func details(group string, n *yaml.Node) ([]vrooliSecretDetail, error) {
	var list []vrooliSecretDetail
	if n.Kind == yaml.SequenceNode {
		return list, n.Decode(&list)
	}
	var g vrooliKeyGroup
	if err := n.Decode(&g); err != nil {
		return nil, err
	}
	for _, k := range g.Keys {
		list = append(list, vrooliSecretDetail{Name: group + "_" + k, Description: g.Description})
	}
	return list, nil
}

type vrooliSecretDetail struct {
	Name          string `yaml:"name"`
	Description   string `yaml:"description"`
	Required      bool   `yaml:"required"`
	DefaultEnv    string `yaml:"default_env"`
	Documentation string `yaml:"documentation"`
	Validation    struct {
		Pattern string `yaml:"pattern"`
	} `yaml:"validation"`
}

func (v *Vrooli) readResource(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc vrooliSecrets
	if err := yaml.Unmarshal(data, &doc); err != nil {
		recovered, line := truncateAtError(data, err)
		if recovered == nil || yaml.Unmarshal(recovered, &doc) != nil {
			v.Skipped = append(v.Skipped, fmt.Sprintf("%s: not imported: %v", path, err))
			return nil
		}
		v.Skipped = append(v.Skipped, fmt.Sprintf("%s: malformed from line %d on (%v); imported the lines before it", path, line, err))
	}
	name := filepath.Base(filepath.Dir(filepath.Dir(path)))
	if !store.ValidName(name) {
		v.Skipped = append(v.Skipped, fmt.Sprintf("%s: resource name %q is not a valid store name", path, name))
		return nil
	}
	r := &store.Resource{Version: store.DocumentVersion, Name: name, Description: doc.Description, Secrets: []store.Secret{}}
	for _, group := range slices.Sorted(maps.Keys(doc.Secrets)) {
		node := doc.Secrets[group]
		list, err := details(group, &node)
		if err != nil {
			v.Skipped = append(v.Skipped, fmt.Sprintf("%s: secrets.%s: not imported: %v", path, group, err))
			continue
		}
		for _, d := range list {
			key := d.DefaultEnv
			if key == "" {
				key = strings.ToUpper(d.Name)
			}
			switch {
			case !validKey.MatchString(key):
				v.Skipped = append(v.Skipped, fmt.Sprintf("%s: secret %q: key %q is not a valid key", path, d.Name, key))
				continue
			case slices.ContainsFunc(r.Secrets, func(s store.Secret) bool { return s.Key == key }):
				v.Skipped = append(v.Skipped, fmt.Sprintf("%s: secret %q: key %s is declared twice; the first is kept", path, d.Name, key))
				continue
			}
			s := store.Secret{Key: key, Description: d.Description, Required: d.Required, ValidationPattern: d.Validation.Pattern}
			if strings.HasPrefix(d.Documentation, "http://") || strings.HasPrefix(d.Documentation, "https://") {
				s.DocumentationURL = d.Documentation
			}
			if s.ValidationPattern != "" {
				if _, err := regexp.Compile(s.ValidationPattern); err != nil {
					v.Skipped = append(v.Skipped, fmt.Sprintf("%s: secret %s: validation pattern dropped (%v)", path, key, err))
					s.ValidationPattern = ""
				}
			}
			r.Secrets = append(r.Secrets, s)
		}
	}
	v.Resources[name] = r
	return nil
}

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+):`)

// truncateAtError returns the document cut before the line a YAML error
// names, or nil when the error names no line past the first.
func truncateAtError(data []byte, err error) ([]byte, int) {
	m := yamlErrLine.FindStringSubmatch(err.Error())
	if m == nil {
		return nil, 0
	}
	line, _ := strconv.Atoi(m[1])
	lines := bytes.SplitAfter(data, []byte("\n"))
	if line <= 1 || line > len(lines) {
		return nil, 0
	}
	return bytes.Join(lines[:line-1], nil), line
}

// vrooliService is the part of .vrooli/service.json the import reads.
type vrooliService struct {
	Service struct {
		Description string `json:"description"`
	} `json:"service"`
	Dependencies struct {
		Resources map[string]json.RawMessage `json:"resources"`
	} `json:"dependencies"`
}

// resourceUses reads dependencies.resources: normally an object keyed by
// resource name ({"postgres": {"required": true}}); some manifests group
// names instead ({"required": ["postgres"], "optional": [{"name": "redis"}]}).
func resourceUses(raw map[string]json.RawMessage) (map[string]bool, error) {
	optional := map[string]bool{}
	if grouped(raw) {
		for group, isOptional := range map[string]bool{"required": false, "optional": true} {
			var items []json.RawMessage
			if len(raw[group]) > 0 {
				if err := json.Unmarshal(raw[group], &items); err != nil {
					return nil, fmt.Errorf("dependencies.resources.%s: %w", group, err)
				}
			}
			for _, it := range items {
				var name string
				if json.Unmarshal(it, &name) != nil {
					var obj struct{ Name string }
					if err := json.Unmarshal(it, &obj); err != nil || obj.Name == "" {
						return nil, fmt.Errorf("dependencies.resources.%s: an item is neither a name nor an object with a name", group)
					}
					name = obj.Name
				}
				optional[name] = isOptional
			}
		}
		return optional, nil
	}
	for name, msg := range raw {
		var dep struct {
			Required *bool `json:"required"`
		}
		if err := json.Unmarshal(msg, &dep); err != nil {
			return nil, fmt.Errorf("dependencies.resources.%s: %w", name, err)
		}
		optional[name] = dep.Required != nil && !*dep.Required
	}
	return optional, nil
}

// grouped reports whether dependencies.resources lists names in required /
// optional arrays rather than keying objects by name.
func grouped(raw map[string]json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	for k, v := range raw {
		if k != "required" && k != "optional" && k != "details" {
			return false
		}
		if k != "details" && !bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")) {
			return false
		}
	}
	return true
}

func (v *Vrooli) readScenario(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc vrooliService
	if err := json.Unmarshal(data, &doc); err != nil {
		v.Skipped = append(v.Skipped, fmt.Sprintf("%s: not imported: %v", path, err))
		return nil
	}
	name := filepath.Base(filepath.Dir(filepath.Dir(path)))
	if !store.ValidName(name) {
		v.Skipped = append(v.Skipped, fmt.Sprintf("%s: scenario name %q is not a valid store name", path, name))
		return nil
	}
	uses, err := resourceUses(doc.Dependencies.Resources)
	if err != nil {
		v.Skipped = append(v.Skipped, fmt.Sprintf("%s: not imported: %v", path, err))
		return nil
	}
	sc := &store.Scenario{Version: store.DocumentVersion, Name: name, Description: doc.Service.Description}
	for _, res := range slices.Sorted(maps.Keys(uses)) {
		if !store.ValidName(res) || res == name {
			v.Skipped = append(v.Skipped, fmt.Sprintf("%s: resource %q cannot be used by scenario %s", path, res, name))
			continue
		}
		sc.Resources = append(sc.Resources, store.ResourceUse{Name: res, Optional: uses[res]})
	}
	v.Scenarios[name] = sc
	return nil
}
