package store

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// ConflictKey is the top-level key under which a conflict document keeps
// their version of each conflicting field (see [Store.Merge]). No document
// kind declares it, so a document that still has it does not validate:
// resolving the conflict means deleting it.
const ConflictKey = "secretsctl_conflicts"

// MergeResult is the outcome of [Store.Merge].
type MergeResult struct {
	// Document is the file to write: the merged document, encrypted and
	// sealed; on a conflict, the conflict document, encrypted too.
	Document []byte
	// Conflicts are the fields both sides changed differently, such as
	// "secrets[STRIPE_KEY].strategies.tier-2-desktop.strategy"; empty when
	// the merge succeeded.
	Conflicts []string
}

// Merge three-way merges three versions of the document at the
// store-relative path rel — base (the common ancestor, empty when there is
// none), ours and theirs, each SOPS-encrypted or plaintext — by key path
// rather than by text line, the way a git merge driver does: a field
// changed on one side takes that side's version; secrets, resources and
// tiers are matched by their key, name or id; lists of names merge as sets.
// Reading encrypted versions needs the private key.
//
// When both sides changed a field differently the result names every such
// field in comments at the top and keeps our version in place and theirs
// under [ConflictKey], and is encrypted with the path's creation rule like
// any document, so that no value is written in clear; `secretsctl edit`
// opens it to resolve. A merged document that does not validate is reported
// the same way, with its problems as the fields.
func (s *Store) Merge(rel string, base, ours, theirs []byte) (*MergeResult, error) {
	var roots [3]*yaml.Node
	for i, v := range []struct {
		name string
		data []byte
	}{{"base", base}, {"ours", ours}, {"theirs", theirs}} {
		root, err := s.mergeInput(rel, v.data)
		if err != nil {
			return nil, fmt.Errorf("merge %s (%s): %w", rel, v.name, err)
		}
		roots[i] = root
	}
	if roots[1] == nil || roots[2] == nil {
		return nil, &DocumentError{File: rel, Reason: "merge: our or their version is empty"}
	}
	m := &merger{}
	merged := m.merge(roots[0], roots[1], roots[2], "", nil)
	// The result keeps our version's data key, so the merge commit's diff
	// against our side shows only what their side changed.
	var prev *sopsfile.Previous
	if sopsfile.IsEncrypted(ours) {
		p, err := sopsfile.OpenPrevious(ours, s.keys)
		if err != nil {
			return nil, sealError(rel, err)
		}
		prev = p
	}
	if len(m.conflicts) == 0 {
		return s.sealMerged(rel, merged, prev)
	}
	return s.conflictDocument(rel, merged, m.conflicts, prev)
}

// mergeInput decrypts and verifies one version, and returns its top-level
// mapping without the seal; nil for an empty version.
func (s *Store) mergeInput(rel string, data []byte) (*yaml.Node, error) {
	if strings.TrimSpace(string(data)) == "" {
		return nil, nil
	}
	var doc *yaml.Node
	if sopsfile.IsEncrypted(data) {
		node, _, err := sopsfile.DecryptNodeInfo(data, s.keys)
		if err != nil {
			return nil, sealError(rel, err)
		}
		doc = node
	} else {
		node, err := parseYAML(rel, data)
		if err != nil {
			return nil, err
		}
		doc = node
	}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &DocumentError{File: rel, Reason: "the top level is not a mapping"}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == SealKey {
			root.Content = append(root.Content[:i:i], root.Content[i+2:]...)
			break
		}
	}
	return root, nil
}

// sealMerged validates and encrypts a merged document; a merged document
// with problems becomes a conflict document naming them.
func (s *Store) sealMerged(rel string, merged *yaml.Node, prev *sopsfile.Previous) (*MergeResult, error) {
	plain, err := yaml.Marshal(merged)
	if err != nil {
		return nil, fmt.Errorf("encode merged %s: %w", rel, err)
	}
	if check, err := s.CheckDocument(rel, plain); err == nil && len(check.Problems) > 0 {
		var conflicts []mergeConflict
		for _, p := range check.Problems {
			conflicts = append(conflicts, mergeConflict{Field: strings.TrimPrefix(p.Error(), rel+":")})
		}
		return s.conflictDocument(rel, merged, conflicts, prev)
	}
	enc, err := s.encryptPlain(rel, plain, prev)
	if err != nil {
		return nil, err
	}
	return &MergeResult{Document: enc}, nil
}
