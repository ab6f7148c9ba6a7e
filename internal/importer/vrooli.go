package importer

import (
	"bytes"
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
	// Renamed maps a name as Vrooli spells it to its [NormalName], for the
	// names that changed.
	Renamed map[string]string
	// FromDatabase is set when the secrets-manager database was read.
	FromDatabase bool
	// Database counts what the database gave, and Unmapped lists what
	// the store cannot hold; Review lists imported strategies lint
	// reports: they lack what the database does not say, or break the
	// hard rule of infrastructure secrets on end-user tiers.
	Database Counts
	Unmapped []Unmapped
	Review   []string

	rowLabels map[string]string // resource_secrets id → "resource/KEY" as the database spells it
	dbSeen    map[string]string // normalised "resource/KEY" → the row imported there
}

var validKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// ReadVrooli reads resources/*/config/secrets.yaml and
// scenarios/*/.vrooli/service.json under dir and, when db is not nil, what
// the secrets-manager database holds; tiers resolves the database's tier
// names.
func ReadVrooli(dir string, db *Database, tiers *store.TierCatalog) (*Vrooli, error) {
	v := &Vrooli{Resources: map[string]*store.Resource{}, Scenarios: map[string]*store.Scenario{},
		Undeclared: map[string][]string{}, Renamed: map[string]string{}}
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
	if db != nil {
		v.applyDatabase(db, tiers)
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
			v.skip("%s: not imported: %v", path, err)
			return nil
		}
		v.skip("%s: malformed from line %d on (%v); imported the lines before it", path, line, err)
	}
	name := v.normal(filepath.Base(filepath.Dir(filepath.Dir(path))))
	if !store.ValidName(name) {
		v.skip("%s: resource name %q is not a valid store name", path, name)
		return nil
	}
	r := v.resource(name, doc.Description)
	for _, group := range slices.Sorted(maps.Keys(doc.Secrets)) {
		node := doc.Secrets[group]
		list, err := details(group, &node)
		if err != nil {
			v.skip("%s: secrets.%s: not imported: %v", path, group, err)
			continue
		}
		for _, d := range list {
			v.addFileSecret(r, path, d)
		}
	}
	return nil
}

// resource returns the resource being imported under name, creating it.
func (v *Vrooli) resource(name, description string) *store.Resource {
	r, ok := v.Resources[name]
	if !ok {
		r = &store.Resource{Version: store.DocumentVersion, Name: name, Secrets: []store.Secret{}}
		v.Resources[name] = r
	}
	if r.Description == "" {
		r.Description = description
	}
	return r
}

// addFileSecret adds one secret of a secrets.yaml to r.
func (v *Vrooli) addFileSecret(r *store.Resource, path string, d vrooliSecretDetail) {
	key := d.DefaultEnv
	if key == "" {
		key = strings.ToUpper(d.Name)
	}
	switch {
	case !validKey.MatchString(key):
		v.skip("%s: secret %q: key %q is not a valid key", path, d.Name, key)
		return
	case slices.ContainsFunc(r.Secrets, func(s store.Secret) bool { return s.Key == key }):
		v.skip("%s: secret %q: key %s is declared twice; the first is kept", path, d.Name, key)
		return
	}
	s := store.Secret{Key: key, Description: d.Description, Required: d.Required, ValidationPattern: d.Validation.Pattern}
	if isURL(d.Documentation) {
		s.DocumentationURL = d.Documentation
	}
	if s.ValidationPattern != "" {
		if _, err := regexp.Compile(s.ValidationPattern); err != nil {
			v.skip("%s: secret %s: validation pattern dropped (%v)", path, key, err)
			s.ValidationPattern = ""
		}
	}
	r.Secrets = append(r.Secrets, s)
}

func isURL(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }

func (v *Vrooli) skip(format string, args ...any) {
	v.Skipped = append(v.Skipped, fmt.Sprintf(format, args...))
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
