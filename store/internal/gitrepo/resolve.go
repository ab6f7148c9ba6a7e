package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Commit describes one commit.
type Commit struct {
	// Hash is the full hexadecimal commit id.
	Hash string
	// Time is the committer time.
	Time time.Time
	// Author and Email identify the author.
	Author, Email string
	// Subject is the first paragraph of the message on one line, as git's %s.
	Subject string
}

// Resolve resolves a revision to a commit: "" or "HEAD", a full or short
// hash, a branch, a tag (annotated tags are peeled), or suffixed forms such as
// "HEAD~1" and "main^2". It returns an error wrapping [ErrUnknownRevision]
// and naming rev when the revision does not exist, and [ErrNoCommits] when
// HEAD's branch has no commit yet.
func (r *Repo) Resolve(rev string) (Commit, error) {
	if rev == "" {
		rev = "HEAD"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	norm, ok := r.normalizeLocked(rev)
	if !ok {
		return Commit{}, fmt.Errorf("resolve revision %q: %w", rev, ErrUnknownRevision)
	}
	// A name normalizeLocked resolved is now a full commit hash: read the
	// commit directly rather than have ResolveRevision look the hash up as
	// six reference names first (a dozen failed file lookups). Anything else
	// (a tag object, a missing object, an expression) takes the general path.
	if len(norm) == 2*len(plumbing.ZeroHash) && isHex(norm) {
		if c, err := r.readCommitLocked(plumbing.NewHash(norm)); err == nil {
			return commitInfo(c), nil
		}
	}
	h, err := r.repo.ResolveRevision(plumbing.Revision(norm))
	if err != nil && isNotFound(err) {
		if ri, ok := r.repo.Storer.(reindexer); ok {
			ri.Reindex()
			h, err = r.repo.ResolveRevision(plumbing.Revision(norm))
		}
	}
	if err != nil {
		if strings.HasPrefix(rev, "HEAD") && r.unbornLocked() {
			return Commit{}, fmt.Errorf("resolve revision %q: %w", rev, ErrNoCommits)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return Commit{}, fmt.Errorf("resolve revision %q: %w", rev, err)
		}
		return Commit{}, fmt.Errorf("resolve revision %q: %w", rev, ErrUnknownRevision)
	}
	c, err := r.readCommitLocked(*h)
	if err != nil {
		return Commit{}, fmt.Errorf("resolve revision %q: %w", rev, err)
	}
	return commitInfo(c), nil
}

// normalizeLocked adapts a revision to go-git's resolver, which silently
// ignores what it does not implement ("HEAD:path", "HEAD@{1}" and
// "HEAD^{tree}" all give HEAD) and prefers a matching abbreviated hash of any
// length over a branch or tag of the same name. It refuses those forms, and
// resolves a leading branch or tag name itself so that names win, as in git.
// Abbreviated hashes need 4 digits, as in git. The caller holds r.mu.
func (r *Repo) normalizeLocked(rev string) (string, bool) {
	if strings.Contains(rev, ":") || strings.Contains(rev, "@{") {
		return "", false
	}
	for rest := rev; ; {
		i := strings.Index(rest, "^{")
		if i < 0 {
			break
		}
		rest = rest[i+2:]
		if !strings.HasPrefix(rest, "}") && !strings.HasPrefix(rest, "commit}") && !strings.HasPrefix(rest, "/") {
			return "", false
		}
	}
	base, suffix := rev, ""
	if i := strings.IndexAny(rev, "~^"); i >= 0 {
		base, suffix = rev[:i], rev[i:]
	}
	for _, rule := range plumbing.RefRevParseRules {
		ref, err := storer.ResolveReference(r.repo.Storer, plumbing.ReferenceName(fmt.Sprintf(rule, base)))
		if err == nil && !ref.Hash().IsZero() {
			return ref.Hash().String() + suffix, true
		}
	}
	if len(base) < 4 && isHex(base) {
		return "", false
	}
	return rev, true
}

// isHex reports whether s is made of hexadecimal digits only.
func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdefABCDEF") == ""
}

// isNotFound reports whether a go-git error means that a name or object is
// missing, as opposed to an I/O failure.
func isNotFound(err error) bool {
	return errors.Is(err, plumbing.ErrReferenceNotFound) || errors.Is(err, plumbing.ErrObjectNotFound) ||
		errors.Is(err, io.EOF)
}

// unbornLocked reports whether HEAD points to a branch that does not exist
// yet. The caller holds r.mu.
func (r *Repo) unbornLocked() bool {
	head, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil || head.Type() != plumbing.SymbolicReference {
		return false
	}
	_, err = r.repo.Storer.Reference(head.Target())
	return errors.Is(err, plumbing.ErrReferenceNotFound)
}

// commitInfo summarises a decoded commit.
func commitInfo(c *object.Commit) Commit {
	return Commit{
		Hash:    c.Hash.String(),
		Time:    c.Committer.When,
		Author:  c.Author.Name,
		Email:   c.Author.Email,
		Subject: subject(c.Message),
	}
}

// subject returns the first paragraph of a commit message joined into one
// line, the way git log's %s does.
func subject(msg string) string {
	msg = strings.TrimLeft(msg, "\n")
	if i := strings.Index(msg, "\n\n"); i >= 0 {
		msg = msg[:i]
	}
	lines := strings.Split(strings.TrimRight(msg, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return strings.Join(lines, " ")
}

// headState is where HEAD points: a branch and its commit.
type headState struct {
	branch plumbing.ReferenceName
	hash   plumbing.Hash // zero when the branch is unborn
}

// head reads HEAD, which must be on a branch.
func (r *Repo) head() (headState, error) {
	ref, err := r.reference(plumbing.HEAD)
	if err != nil {
		return headState{}, fmt.Errorf("read HEAD: %w", err)
	}
	if ref.Type() != plumbing.SymbolicReference {
		return headState{}, ErrDetachedHead
	}
	st := headState{branch: ref.Target()}
	br, err := r.reference(st.branch)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		return st, nil
	case err != nil:
		return headState{}, fmt.Errorf("read %s: %w", st.branch, err)
	case br.Type() != plumbing.HashReference:
		return headState{}, fmt.Errorf("read %s: symbolic branch is not supported", st.branch)
	}
	st.hash = br.Hash()
	return st, nil
}
