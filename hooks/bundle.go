package hooks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// ErrRefused is returned (wrapped) when a manifest asks for a value that
// must never be made: an infrastructure secret planned to be generated on a
// tier that ships to end users.
var ErrRefused = errors.New("refused")

// Bundle is the values and rendered files of one deployment.
type Bundle struct {
	Scenario   string
	Tier       string
	Deployment string
	// Values are the secrets generated at bundle time, by secret id.
	Values map[string]Value
	// Files are the rendered targets, sorted by path.
	Files []File
}

// CreateBundle makes the values of every secret the manifest generates at
// bundle time and renders their targets. existing holds values issued
// before, by secret id: they are used as they are, so creating the bundle
// of a deployment again renders the same files. Derived values are made
// after the values their template refers to.
func CreateBundle(m *store.Manifest, deployment string, existing map[string]string, opt Options) (*Bundle, error) {
	if m == nil {
		return nil, errors.New("create bundle: no manifest")
	}
	if deployment == "" {
		return nil, errors.New("create bundle: empty deployment id")
	}
	secrets, err := bundleSecrets(m)
	if err != nil {
		return nil, err
	}
	order, err := generationOrder(secrets)
	if err != nil {
		return nil, err
	}
	b := &Bundle{Scenario: m.Scenario, Tier: m.TierID, Deployment: deployment, Values: map[string]Value{}}
	values := map[string]string{}
	for _, s := range order {
		v := Value{ID: s.ID, Key: s.SecretKey, Generator: s.GeneratorTemplate.Type}
		v.value, v.Reused = existing[s.ID]
		if !v.Reused {
			if v.value, err = generateFor(s, deployment, values, opt); err != nil {
				return nil, err
			}
		}
		values[s.ID] = v.value
		b.Values[s.ID] = v
	}
	if b.Files, err = renderTargets(secrets, deployment, values); err != nil {
		return nil, err
	}
	return b, nil
}

// bundleSecrets picks the secrets generated at bundle time, refusing the
// ones the plan forbids.
func bundleSecrets(m *store.Manifest) ([]store.ManifestSecret, error) {
	forbidden := map[string]bool{}
	for _, d := range m.Summary.BlockingSecretDetails {
		if d.Code == "infrastructure-on-end-user-tier" {
			forbidden[store.SecretID(d.Resource, d.Secret)] = true
		}
	}
	var out []store.ManifestSecret
	for _, s := range m.Secrets {
		if s.HandlingStrategy != store.Generate || s.GenerateAt != store.AtBundle {
			continue
		}
		if forbidden[s.ID] {
			return nil, fmt.Errorf("create bundle: %s: %w: an infrastructure secret is never generated on tier %s, which ships to end users", s.ID, ErrRefused, m.TierID)
		}
		if s.GeneratorTemplate == nil {
			return nil, fmt.Errorf("create bundle: %s: generate strategy has no generator", s.ID)
		}
		if err := ValidateGenerator(*s.GeneratorTemplate); err != nil {
			return nil, fmt.Errorf("create bundle: %s: %w", s.ID, err)
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b store.ManifestSecret) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func generateFor(s store.ManifestSecret, deployment string, values map[string]string, opt Options) (string, error) {
	g := *s.GeneratorTemplate
	if g.Type == "derived" {
		v, err := renderTemplate(s.ID, g.Template, newTemplateData(deployment, nil, values))
		if err != nil {
			return "", fmt.Errorf("create bundle: derive %s: %w", s.ID, err)
		}
		return v, nil
	}
	v, err := Generate(g, values, opt)
	if err != nil {
		return "", fmt.Errorf("create bundle: %s: %w", s.ID, err)
	}
	return v, nil
}

// generationOrder sorts the secrets so that a derived value comes after
// every value its template refers to.
func generationOrder(secrets []store.ManifestSecret) ([]store.ManifestSecret, error) {
	byID := map[string]store.ManifestSecret{}
	for _, s := range secrets {
		byID[s.ID] = s
	}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var order []store.ManifestSecret
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		switch state[id] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("create bundle: derived values refer to each other in a cycle: %v", append(path, id))
		}
		state[id] = visiting
		deps, err := derivedDeps(byID[id], secrets)
		if err != nil {
			return err
		}
		for _, dep := range deps {
			if err := visit(dep, append(path, id)); err != nil {
				return err
			}
		}
		state[id] = done
		order = append(order, byID[id])
		return nil
	}
	for _, s := range secrets {
		if err := visit(s.ID, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// derivedDeps are the ids a derived secret's template refers to.
func derivedDeps(s store.ManifestSecret, secrets []store.ManifestSecret) ([]string, error) {
	if s.GeneratorTemplate.Type != "derived" {
		return nil, nil
	}
	return templateDeps(s.ID, s.GeneratorTemplate.Template, secrets)
}

// templateDeps resolves what a template refers to into secret ids of the
// bundle, and fails on a name the bundle has no value for.
func templateDeps(owner, text string, secrets []store.ManifestSecret) ([]string, error) {
	refs, err := TemplateRefs(text)
	if err != nil {
		return nil, fmt.Errorf("create bundle: %s: %w", owner, err)
	}
	var deps []string
	for _, key := range refs.Keys {
		i := slices.IndexFunc(secrets, func(s store.ManifestSecret) bool { return s.SecretKey == key })
		if i < 0 {
			return nil, fmt.Errorf("create bundle: %s: template refers to .%s, which has no value at bundle time", owner, key)
		}
		deps = append(deps, secrets[i].ID)
	}
	for _, id := range refs.Secrets {
		if !slices.ContainsFunc(secrets, func(s store.ManifestSecret) bool { return s.ID == id }) {
			return nil, fmt.Errorf("create bundle: %s: template refers to secret %q, which has no value at bundle time", owner, id)
		}
		deps = append(deps, id)
	}
	return deps, nil
}

// WriteDir writes the bundle's files under dir, creating it if needed.
// Every path is opened through an [os.Root], so neither .. nor a symbolic
// link can take a write outside dir. Each file is written to a temporary
// name and renamed into place.
func (b *Bundle) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	defer root.Close()
	for _, f := range b.Files {
		if err := writeFile(root, f); err != nil {
			return fmt.Errorf("write bundle file %s: %w", f.Path, err)
		}
	}
	return nil
}

func writeFile(root *os.Root, f File) error {
	if !localPath(f.Path) {
		return errors.New("path leaves the output directory")
	}
	name := filepath.FromSlash(f.Path)
	if d := filepath.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	tmp := name + ".secretsctl-tmp"
	_ = root.Remove(tmp)
	w, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.Mode)
	if err != nil {
		return err
	}
	_, err = w.Write(f.content)
	err = errors.Join(err, w.Chmod(f.Mode), w.Sync(), w.Close())
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
	}
	return err
}
