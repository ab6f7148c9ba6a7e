package gitrepo

import (
	"path/filepath"
	"strings"
)

// IndexPaths lists the slash paths git's index holds under dir (a slash
// path relative to the repository root, "" for all): the files `git add`
// tracks or staged, committed or not. Each path is listed once, sorted.
func (r *Repo) IndexPaths(dir string) ([]string, error) {
	idx, err := readIndex(filepath.Join(r.gitDir, "index"))
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSuffix(dir, "/")
	if prefix != "" {
		prefix += "/"
	}
	var out []string
	for _, e := range idx.Entries {
		name := e.Name
		if !strings.HasPrefix(name, prefix) || (len(out) > 0 && out[len(out)-1] == name) {
			continue
		}
		out = append(out, name)
	}
	return out, nil
}
