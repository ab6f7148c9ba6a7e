package bundlescan

import (
	"bytes"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
)

// nameRule finds rendered env and config files that set the name of a
// stripped secret: "POSTGRES_PASSWORD=…" in a .env file, a
// "POSTGRES_PASSWORD" key in JSON, YAML or TOML. An assignment to an empty
// value ("", ”, null, ~) is a placeholder, not a finding.
type nameRule struct {
	ids                   map[string][]string // name → secret ids
	assign, yamlKey, json *regexp.Regexp
}

func newNameRule(secrets []Secret) *nameRule {
	r := &nameRule{ids: map[string][]string{}}
	for _, s := range secrets {
		for _, n := range s.Names {
			if n != "" && !slices.Contains(r.ids[n], s.ID) {
				r.ids[n] = append(r.ids[n], s.ID)
			}
		}
	}
	if len(r.ids) == 0 {
		return r
	}
	var quoted []string
	for _, n := range slices.Sorted(maps.Keys(r.ids)) {
		quoted = append(quoted, regexp.QuoteMeta(n))
	}
	alt := "(" + strings.Join(quoted, "|") + ")"
	r.assign = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?["']?` + alt + `["']?[ \t]*[=:][ \t]*([^\r\n]*)`)
	r.yamlKey = regexp.MustCompile(`(?m)^[ \t]*(?:-[ \t]+)?["']?` + alt + `["']?[ \t]*:[ \t]*([^\r\n]*)`)
	r.json = regexp.MustCompile(`"` + alt + `"\s*:\s*("(?:[^"\\]|\\.)*"|[^\s,}\]]+)`)
	return r
}

// check returns a finding for every stripped name set in data, the content
// of the config file name.
func (r *nameRule) check(name string, data []byte) []Finding {
	if len(r.ids) == 0 {
		return nil
	}
	re := r.assign
	switch configFormat(name) {
	case "json":
		re = r.json
	case "yaml":
		re = r.yamlKey
	}
	var out []Finding
	for _, m := range re.FindAllSubmatchIndex(data, -1) {
		key, val := string(data[m[2]:m[3]]), bytes.TrimSpace(data[m[4]:m[5]])
		if isEmptyValue(val) {
			continue
		}
		line := bytes.Count(data[:m[2]], []byte("\n")) + 1
		for _, id := range r.ids[key] {
			out = append(out, Finding{Rule: RuleName, File: name, Offset: int64(m[2]), Secret: id, Name: key, Line: line})
		}
	}
	return out
}

func isEmptyValue(v []byte) bool {
	if i := bytes.Index(v, []byte(" #")); i >= 0 {
		v = bytes.TrimSpace(v[:i])
	}
	switch string(v) {
	case "", `""`, "''", "null", "~", "#":
		return true
	}
	return v[0] == '#'
}

// isConfigFile reports whether name (the last part of an archive path
// counts) is a rendered env or config file.
func isConfigFile(name string) bool { return configFormat(name) != "" }

// configFormat is "env", "json", "yaml" or "toml" for a config file's name,
// "" for another file.
func configFormat(name string) string {
	if i := strings.LastIndex(name, "!/"); i >= 0 {
		name = name[i+2:]
	}
	base := strings.ToLower(path.Base(name))
	switch {
	case base == ".env", base == ".envrc", strings.HasPrefix(base, ".env."), strings.HasSuffix(base, ".env"):
		return "env"
	}
	switch path.Ext(base) {
	case ".json":
		return "json"
	case ".yaml", ".yml":
		return "yaml"
	case ".toml":
		return "toml"
	case ".ini", ".properties", ".conf", ".cfg":
		return "env"
	}
	return ""
}
