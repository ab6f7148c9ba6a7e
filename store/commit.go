package store

import (
	"context"
	"fmt"
	"maps"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// Trailer keys of secretsctl commit messages.
const (
	TrailerAction     = "Secretsctl-Action"
	TrailerScenario   = "Secretsctl-Scenario"
	TrailerTier       = "Secretsctl-Tier"
	TrailerDeployment = "Secretsctl-Deployment"
	// TrailerEvent names the ledger file a ledger commit adds
	// (deployments/<scenario>/<deployment>/<event>.yaml, store-relative).
	TrailerEvent = "Secretsctl-Event"
)

// Message is a structured commit message: a subject line and trailers.
// It never holds a secret value.
type Message struct {
	Subject    string
	Action     string
	Scenarios  []string
	Tiers      []string
	Deployment string
	// Event is the store-relative path of the ledger event file the commit
	// adds, for ledger commits.
	Event string
}

// String renders the message: subject, blank line, one trailer per line.
func (m Message) String() string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(m.Subject))
	b.WriteString("\n\n")
	trailer := func(k, v string) { fmt.Fprintf(&b, "%s: %s\n", k, v) }
	trailer(TrailerAction, m.Action)
	for _, s := range m.Scenarios {
		trailer(TrailerScenario, s)
	}
	for _, t := range m.Tiers {
		trailer(TrailerTier, t)
	}
	if m.Deployment != "" {
		trailer(TrailerDeployment, m.Deployment)
	}
	if m.Event != "" {
		trailer(TrailerEvent, m.Event)
	}
	return b.String()
}

// Author is who a commit is attributed to. The zero value means git config.
type Author struct{ Name, Email string }

// ParseAuthor parses "Name <email>", the form of git's --author.
func ParseAuthor(s string) (Author, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name == "" {
		return Author{}, fmt.Errorf("invalid author %q: want \"Name <email>\"", s)
	}
	return Author{Name: a.Name, Email: a.Address}, nil
}

// Change is one commit's worth of files, store-relative.
type Change struct {
	// Documents are encoded as YAML and encrypted with the creation rule
	// .sops.yaml gives for their path.
	Documents map[string]any
	// Files are written as they are (recorded plans, .sops.yaml).
	Files map[string][]byte
	// Delete lists files to remove.
	Delete  []string
	Message Message
	Author  Author
	// Parent, when set, is the revision the change was derived from; the
	// commit fails if the branch has moved since (see [ErrConcurrentUpdate]).
	Parent string
	// Unchanged relaxes Parent for changes that only add files: the commit
	// is made on top of the branch even if it moved since Parent, as long as
	// none of these store-relative paths (files or folders) changed.
	Unchanged []string
}

// ErrConcurrentUpdate is wrapped when the branch moved while a change was
// being prepared; the caller should recompute and try again.
var ErrConcurrentUpdate = gitrepo.ErrConcurrentUpdate

// Commit is a commit secretsctl made.
type Commit struct {
	Hash string
	Time time.Time
}

// Commit encrypts and writes a change as one commit on the current branch.
// It returns false when nothing changed (no commit is made). Writers are
// serialised; a crash leaves the repository as before or as after.
func (s *Store) Commit(ctx context.Context, ch Change) (Commit, bool, error) {
	if s.repo.Bare() {
		return Commit{}, false, fmt.Errorf("commit %s: %s is a bare repository: only ledger events are written to it", ch.Message.Action, s.dir)
	}
	files := make(map[string][]byte, len(ch.Documents)+len(ch.Files))
	if len(ch.Documents) > 0 {
		rules, err := s.rules(ch.Files[".sops.yaml"])
		if err != nil {
			return Commit{}, false, err
		}
		var parent *gitrepo.Tree // documents keep the data key they have there
		if ch.Files[".sops.yaml"] == nil {
			parent = s.committedTree(ch.Parent)
		}
		for _, rel := range slices.Sorted(maps.Keys(ch.Documents)) { // the first error is always the same
			enc, err := s.encryptDocument(rules, rel, ch.Documents[rel], s.openCommitted(parent, rel, nil))
			if err != nil {
				return Commit{}, false, err
			}
			files[s.repoPath(rel)] = enc
		}
	}
	for rel, data := range ch.Files {
		files[s.repoPath(rel)] = data
	}
	var deletes []string
	for _, rel := range ch.Delete {
		deletes = append(deletes, s.repoPath(rel))
	}
	var unchanged []string
	for _, rel := range ch.Unchanged {
		unchanged = append(unchanged, s.repoPath(rel))
	}
	c, ok, err := s.repo.Apply(ctx, gitrepo.Change{
		Files:     files,
		Delete:    deletes,
		Message:   ch.Message.String(),
		Author:    gitrepo.Signature{Name: ch.Author.Name, Email: ch.Author.Email},
		Parent:    ch.Parent,
		Unchanged: unchanged,
	})
	if err != nil {
		return Commit{}, false, fmt.Errorf("commit %s: %w", ch.Message.Action, err)
	}
	return Commit{Hash: c.Hash, Time: c.Time}, ok, nil
}

// rules parses the store's .sops.yaml: pending, when the same change
// writes it, else the one in the work tree.
func (s *Store) rules(pending []byte) (*sopsfile.Rules, error) {
	data := pending
	if data == nil {
		var err error
		if data, err = os.ReadFile(filepath.Join(s.dir, ".sops.yaml")); err != nil {
			return nil, fmt.Errorf("read creation rules: %w", err)
		}
	}
	r, err := sopsfile.ParseRules(data)
	if err != nil {
		return nil, fmt.Errorf(".sops.yaml: %w", err)
	}
	return r, nil
}

// encryptDocument encodes and encrypts a document, keeping prev's data key
// and the ciphertext of unchanged values when prev is not nil (the version
// the change replaces, opened with the key).
func (s *Store) encryptDocument(rules *sopsfile.Rules, rel string, doc any, prev *sopsfile.Previous) ([]byte, error) {
	plain, err := EncodeYAML(doc)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", rel, err)
	}
	if prev != nil {
		return s.encryptPlain(rel, plain, prev)
	}
	return s.encryptChecked(rules, rel, plain)
}

// EncryptDocument encodes and encrypts a document with the creation rule
// .sops.yaml gives for its store-relative path, exactly as [Store.Commit]
// would, without committing it (for tools that build history in bulk).
func (s *Store) EncryptDocument(rel string, doc any) ([]byte, error) {
	rules, err := s.rules(nil)
	if err != nil {
		return nil, err
	}
	return s.encryptDocument(rules, rel, doc, nil)
}
