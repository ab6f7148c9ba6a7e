package gitrepo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Log returns the commits reachable from c that change something under any
// of the path prefixes (a file or a directory, relative to the repository
// root), newest first by committer time, at most limit of them (0: all).
// With no prefixes every commit is listed. A merge is listed when it differs
// from each of its parents, as git log PATH does.
func (r *Repo) Log(c Commit, prefixes []string, limit int) ([]Commit, error) {
	h, ok := parseHash(c.Hash)
	if !ok {
		return nil, fmt.Errorf("log: invalid commit hash %q", c.Hash)
	}
	clean := make([]string, len(prefixes))
	for i, p := range prefixes {
		clean[i] = cleanPath(p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	start, err := r.readCommitLocked(h)
	if err != nil {
		return nil, fmt.Errorf("log %s: %w", c.Hash, err)
	}
	iter := object.NewCommitIterCTime(start, nil, nil)
	defer iter.Close()
	var out []Commit
	err = iter.ForEach(func(co *object.Commit) error {
		hit, err := r.touchesLocked(co, clean)
		if err != nil || !hit {
			return err
		}
		out = append(out, commitInfo(co))
		if limit > 0 && len(out) >= limit {
			return storer.ErrStop
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("log %s: %w", c.Hash, err)
	}
	return out, nil
}

// touchesLocked reports whether a commit changes any of the prefixes
// compared with every one of its parents.
func (r *Repo) touchesLocked(co *object.Commit, prefixes []string) (bool, error) {
	if len(prefixes) == 0 {
		return true, nil
	}
	mine, err := r.lookupAllLocked(co.TreeHash, prefixes)
	if err != nil {
		return false, err
	}
	if len(co.ParentHashes) == 0 {
		return slices.ContainsFunc(mine, func(h plumbing.Hash) bool { return !h.IsZero() }), nil
	}
	for _, ph := range co.ParentHashes {
		parent, err := r.readCommitLocked(ph)
		if err != nil {
			return false, err
		}
		theirs, err := r.lookupAllLocked(parent.TreeHash, prefixes)
		if err != nil {
			return false, err
		}
		if slices.Equal(mine, theirs) {
			return false, nil
		}
	}
	return true, nil
}

// lookupAllLocked returns the object ids at several paths of a tree, the
// zero id where there is nothing.
func (r *Repo) lookupAllLocked(root plumbing.Hash, paths []string) ([]plumbing.Hash, error) {
	ids := make([]plumbing.Hash, len(paths))
	for i, p := range paths {
		h, err := r.lookupLocked(root, p)
		if err != nil {
			return nil, err
		}
		ids[i] = h
	}
	return ids, nil
}

// lookupLocked returns the object id at a clean path of a tree, zero when
// there is nothing there.
func (r *Repo) lookupLocked(root plumbing.Hash, p string) (plumbing.Hash, error) {
	if p == "" {
		return root, nil
	}
	h, isDir := root, true
	for _, name := range strings.Split(p, "/") {
		if !isDir {
			return plumbing.ZeroHash, nil
		}
		entries, err := r.readTreeLocked(h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == name })
		if i < 0 {
			return plumbing.ZeroHash, nil
		}
		h, isDir = entries[i].Hash, entries[i].Mode == filemode.Dir
	}
	return h, nil
}

// Message returns a commit's full message, byte for byte.
func (r *Repo) Message(c Commit) (string, error) {
	h, ok := parseHash(c.Hash)
	if !ok {
		return "", fmt.Errorf("read message: invalid commit hash %q", c.Hash)
	}
	co, err := r.readCommit(h)
	if err != nil {
		return "", fmt.Errorf("read message of %s: %w", c.Hash, err)
	}
	return co.Message, nil
}

// A Trailer is one "Key: value" line at the end of a commit message, such as
// "Signed-off-by: A <a@example.com>".
type Trailer struct {
	Key, Value string
}

// Trailers parses the trailers of a commit message: the lines of its last
// paragraph, provided every one of them is "Key: value" or an indented
// continuation line (joined to the value with a space). The first paragraph,
// the subject, never holds trailers. This is stricter than git
// interpret-trailers, which tolerates some other lines.
func Trailers(msg string) []Trailer {
	msg = strings.TrimRight(strings.ReplaceAll(msg, "\r\n", "\n"), " \t\n")
	i := strings.LastIndex(msg, "\n\n")
	if i < 0 {
		return nil
	}
	var out []Trailer
	for _, line := range strings.Split(msg[i+2:], "\n") {
		if line != "" && (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok || !isTrailerKey(key) {
			return nil
		}
		out = append(out, Trailer{Key: key, Value: strings.TrimSpace(value)})
	}
	return out
}

// isTrailerKey accepts a token of letters, digits and hyphens.
func isTrailerKey(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		ok := c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

// Walk calls fn for every commit reachable from c, newest first by committer
// time, with the trailers of its message, until fn returns an error
// ([storer.ErrStop] ends the walk without one). It reads commit objects
// only, never trees, so its cost is one object read per commit.
func (r *Repo) Walk(c Commit, fn func(Commit, []Trailer) error) error {
	h, ok := parseHash(c.Hash)
	if !ok {
		return fmt.Errorf("walk: invalid commit hash %q", c.Hash)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	start, err := r.readCommitLocked(h)
	if err != nil {
		return fmt.Errorf("walk %s: %w", c.Hash, err)
	}
	iter := object.NewCommitIterCTime(start, nil, nil)
	defer iter.Close()
	err = iter.ForEach(func(co *object.Commit) error { return fn(commitInfo(co), Trailers(co.Message)) })
	if err != nil && err != storer.ErrStop {
		return err
	}
	return nil
}
