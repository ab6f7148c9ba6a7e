package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/dotenv"
	"github.com/secretsctl/secretsctl/store"
)

// DefaultEnvFile is the env file of an env target without a path.
const DefaultEnvFile = ".env"

// defaultMode is the mode of a rendered file that does not say otherwise:
// readable by its owner only, as it holds secrets.
const defaultMode fs.FileMode = 0o600

var (
	envName    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	configKeys = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
	formats    = []string{"json", "yaml", "dotenv", "toml"}
)

// TargetError is a target that cannot be rendered. It never holds a value.
type TargetError struct {
	// Type is the target type as written.
	Type string
	// Field is the field at fault: type, name, path, mode, template, format
	// or key.
	Field  string
	Reason string
}

func (e *TargetError) Error() string {
	return fmt.Sprintf("target %s: %s: %s", e.Type, e.Field, e.Reason)
}

// ValidateTarget checks a target without rendering it: a known type, the
// fields it needs, a path that stays inside the output directory, a mode
// and a template that parse. The error is a [*TargetError].
func ValidateTarget(t store.Target) error {
	bad := func(field, format string, args ...any) error {
		return &TargetError{Type: t.Type, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	if t.Path != "" && !localPath(t.Path) {
		return bad("path", "%q must be a relative path without .. that stays inside the output directory", t.Path)
	}
	switch t.Type {
	case "env":
		if !envName.MatchString(t.Name) {
			return bad("name", "%q is not an environment variable name", t.Name)
		}
	case "file":
		if t.Path == "" {
			return bad("path", "required")
		}
		if _, err := fileMode(t.Mode); err != nil {
			return bad("mode", "%v", err)
		}
		if _, err := parseTemplate(t.Path, t.Template); err != nil {
			return bad("template", "%v", err)
		}
	case "config":
		if t.Path == "" {
			return bad("path", "required")
		}
		if !slices.Contains(formats, t.Format) {
			return bad("format", "%q is not one of %s", t.Format, strings.Join(formats, ", "))
		}
		if !configKeys.MatchString(t.Key) || t.Format == "dotenv" && !envName.MatchString(t.Key) {
			return bad("key", "%q is not a dotted key path (a variable name for dotenv)", t.Key)
		}
	default:
		return bad("type", "%q is not one of env, file, config", t.Type)
	}
	return nil
}

func fileMode(mode string) (fs.FileMode, error) {
	if mode == "" {
		return defaultMode, nil
	}
	m, err := strconv.ParseUint(mode, 8, 32)
	if err != nil || m > 0o777 {
		return 0, fmt.Errorf("%q is not an octal permission such as 0600", mode)
	}
	return fs.FileMode(m), nil
}

// output is one file being rendered, from one file target or from the
// config and env targets that share its path.
type output struct {
	owner  string // the first secret that targets it, for errors
	format string // "" for a file target
	mode   fs.FileMode
	raw    []byte
	tree   map[string]any
}

// renderTargets renders every target of the secrets, sorted by path.
func renderTargets(secrets []store.ManifestSecret, deployment string, values map[string]string) ([]File, error) {
	outs := map[string]*output{}
	for _, s := range secrets {
		targets := s.Targets
		if len(targets) == 0 {
			targets = []store.Target{{Type: "env", Name: s.SecretKey}}
		}
		for _, t := range targets {
			if err := addTarget(outs, s, t, deployment, values); err != nil {
				return nil, fmt.Errorf("create bundle: %s: %w", s.ID, err)
			}
		}
	}
	var files []File
	for _, p := range slices.Sorted(maps.Keys(outs)) {
		if i := slices.IndexFunc(files, func(f File) bool { return strings.HasPrefix(p, f.Path+"/") }); i >= 0 {
			return nil, fmt.Errorf("create bundle: %s is a file, so %s cannot be inside it", files[i].Path, p)
		}
		content, err := outs[p].encode()
		if err != nil {
			return nil, fmt.Errorf("create bundle: encode %s: %w", p, err)
		}
		files = append(files, File{Path: p, Mode: outs[p].mode, content: content})
	}
	return files, nil
}

func addTarget(outs map[string]*output, s store.ManifestSecret, t store.Target, deployment string, values map[string]string) error {
	if err := ValidateTarget(t); err != nil {
		return err
	}
	switch t.Type {
	case "env":
		return setConfig(outs, s.ID, cmpOr(t.Path, DefaultEnvFile), "dotenv", t.Name, values[s.ID])
	case "config":
		return setConfig(outs, s.ID, t.Path, t.Format, t.Key, values[s.ID])
	}
	if o, taken := outs[t.Path]; taken {
		return fmt.Errorf("target file: %s is also written by %s", t.Path, o.owner)
	}
	mode, _ := fileMode(t.Mode)
	self := values[s.ID]
	content := self
	if t.Template != "" {
		var err error
		content, err = renderTemplate(t.Path, t.Template, newTemplateData(deployment, &self, values))
		if err != nil {
			return fmt.Errorf("target file: %w", err)
		}
	}
	outs[t.Path] = &output{owner: s.ID, mode: mode, raw: []byte(content)}
	return nil
}

// setConfig sets a dotted key of a config file to a value.
func setConfig(outs map[string]*output, owner, p, format, key, value string) error {
	o, ok := outs[p]
	if !ok {
		o = &output{owner: owner, format: format, mode: defaultMode, tree: map[string]any{}}
		outs[p] = o
	}
	if o.format != format {
		return fmt.Errorf("target %s: %s is written by %s as %s", format, p, o.owner, cmpOr(o.format, "a file"))
	}
	node := o.tree
	parts := strings.Split(key, ".")
	for i, part := range parts[:len(parts)-1] {
		next, ok := node[part]
		if !ok {
			next = map[string]any{}
			node[part] = next
		}
		sub, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("target config: %s: %s is a value, not a table", p, strings.Join(parts[:i+1], "."))
		}
		node = sub
	}
	last := parts[len(parts)-1]
	if _, taken := node[last]; taken {
		return fmt.Errorf("target config: %s: key %s is set twice", p, key)
	}
	node[last] = value
	return nil
}

func (o *output) encode() ([]byte, error) {
	var b bytes.Buffer
	switch o.format {
	case "":
		return o.raw, nil
	case "json":
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err := enc.Encode(o.tree)
		return b.Bytes(), err
	case "yaml":
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		err := enc.Encode(o.tree)
		return b.Bytes(), err
	case "toml":
		err := toml.NewEncoder(&b).Encode(o.tree)
		return b.Bytes(), err
	}
	for _, k := range slices.Sorted(maps.Keys(o.tree)) {
		fmt.Fprintf(&b, "%s=%s\n", k, dotenvQuote(o.tree[k].(string)))
	}
	return b.Bytes(), nil
}

var dotenvBare = regexp.MustCompile(`^[A-Za-z0-9_./:@+,=-]*$`)

// dotenvQuote writes a value so that dotenv parsers (docker compose,
// godotenv, python-dotenv) read it back unchanged: bare when it is plain,
// single-quoted (no expansion) when it has no quote or newline, else
// double-quoted with \\, \", \n and \$ escaped.
func dotenvQuote(v string) string {
	switch {
	case dotenvBare.MatchString(v):
		return v
	case !strings.ContainsAny(v, "'\n\r"):
		return "'" + v + "'"
	}
	return dotenv.Quote(v)
}
