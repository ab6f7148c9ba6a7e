package gitrepo

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// A Change is the content of one commit, applied by [Repo.Apply].
type Change struct {
	// Files maps slash paths relative to the repository root to their new
	// content; files are created or replaced, with mode 0644.
	Files map[string][]byte
	// Delete lists paths of files to remove. Removing a file that does not
	// exist is not an error; directories left empty disappear.
	Delete []string
	// Message is the full commit message (subject, blank line, body and
	// trailers), stored byte for byte.
	Message string
	// Author is the author and committer. Missing fields come from the git
	// configuration, as git commit would take them.
	Author Signature
	// AllowEmpty makes a commit even when the tree does not change. Without
	// it such a change makes no commit.
	AllowEmpty bool
	// Parent, when set, is the commit the change was computed from: if the
	// branch no longer points there, Apply fails with ErrConcurrentUpdate
	// instead of committing something derived from an older state.
	Parent string
	// Unchanged relaxes Parent: the branch may have moved since Parent as
	// long as none of these paths (files or directories, relative to the
	// repository root) differ between Parent and the branch's commit. The
	// change is then applied on top of the branch's commit. Writers that add
	// new files under a folder nobody else writes (ledger events) use it so
	// that unrelated commits do not force them to start over.
	Unchanged []string
}

// Signature identifies a person.
type Signature struct {
	Name, Email string
}

// edit is one validated path of a change.
type edit struct {
	path   string
	data   []byte // nil for a deletion
	delete bool
}

// edits validates a change's paths and message and returns its edits sorted
// by path.
func (ch Change) edits() ([]edit, error) {
	if ch.Message == "" || strings.TrimSpace(ch.Message) == "" {
		return nil, errors.New("empty commit message")
	}
	if strings.IndexByte(ch.Message, 0) >= 0 {
		return nil, errors.New("commit message contains a NUL byte")
	}
	var out []edit
	for p, data := range ch.Files {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		if data == nil {
			data = []byte{}
		}
		out = append(out, edit{path: p, data: data})
	}
	seen := map[string]bool{}
	for _, p := range ch.Delete {
		if err := checkPath(p); err != nil {
			return nil, err
		}
		if _, ok := ch.Files[p]; ok {
			return nil, fmt.Errorf("path %s is both written and deleted", p)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, edit{path: p, delete: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// checkPath accepts a clean, relative slash path that stays inside the work
// tree and outside the .git directory.
func checkPath(p string) error {
	if p == "" {
		return errors.New("empty path")
	}
	if strings.ContainsAny(p, "\x00\\") {
		return fmt.Errorf("invalid path %q", p)
	}
	for _, el := range strings.Split(p, "/") {
		switch {
		case el == "" || el == "." || el == "..":
			return fmt.Errorf("invalid path %q: must be a clean relative slash path", p)
		case strings.EqualFold(el, ".git"):
			return fmt.Errorf("invalid path %q: inside .git", p)
		}
	}
	return nil
}

// checkSignature rejects values that would corrupt a commit header.
func checkSignature(s Signature) error {
	for _, v := range []string{s.Name, s.Email} {
		if strings.ContainsAny(v, "<>\n\x00") {
			return fmt.Errorf("invalid author %q <%s>: name and email must not contain <, > or newlines", s.Name, s.Email)
		}
	}
	if strings.TrimSpace(s.Name) == "" {
		return errors.New("invalid author: empty name")
	}
	return nil
}
