package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// Draft is a document of the work tree opened for a plaintext edit: `seal`
// re-seals it as it is, `edit` hands its plaintext to an editor. Saving a
// draft validates it and seals it in place, keeping the data key and the
// ciphertext of every value that did not change (see [Draft.Save]). It
// never commits.
//
// A Draft holds decrypted values: it prints as [redacted], and callers
// must not log its plaintext.
type Draft struct {
	store *Store
	rel   string
	// file is the file as read when the draft was opened.
	file []byte
	// plain is the document's plaintext without its seal.
	plain []byte
	// prev is the encryption whose data key a save keeps; nil for a
	// plaintext document that was never committed encrypted.
	prev *sopsfile.Previous
	// Check validates a plaintext before Save writes it; nil means
	// [Store.ValidateForSeal]. Commands set it to add the lint rules of one
	// document.
	Check func(rel string, plain []byte) error
	// Encrypted says the file was a SOPS document (else plaintext).
	Encrypted bool
	// Recovered says the file's MAC or seal did not verify, because its
	// clear parts were edited as text, and its encrypted values were
	// opened with the data key instead (see [Store.OpenDraft]).
	Recovered bool
	// Reason is why the file did not verify, when Recovered.
	Reason string
}

// String implements fmt.Stringer without showing the plaintext.
func (d *Draft) String() string { return "store.Draft(" + d.rel + ")[redacted]" }

// GoString implements fmt.GoStringer like String.
func (d *Draft) GoString() string { return d.String() }

// File returns the draft's store-relative path.
func (d *Draft) File() string { return d.rel }

// Plaintext returns the document's decrypted YAML, as `sops decrypt` prints
// it, without its secretsctl_seal line. It holds secret values.
func (d *Draft) Plaintext() []byte { return bytes.Clone(d.plain) }

// OpenDraft reads a store document of the work tree for re-sealing. A SOPS
// document must decrypt and verify with the store's keys, except that a
// document whose clear parts were edited with a text editor (so its MAC or
// seal no longer matches) is accepted when every encrypted value still
// opens with its data key, or with the data key of the version committed
// at HEAD: Recovered is then set. A document whose values do not open is a
// [*IntegrityError]; no key, a [*KeyError]. A plaintext document is taken
// as it is; if HEAD holds an encrypted version the key opens, its data key
// is kept on save.
func (s *Store) OpenDraft(rel string) (*Draft, error) {
	data, err := os.ReadFile(s.worktreePath(rel))
	if err != nil {
		return nil, err
	}
	d := &Draft{store: s, rel: rel, file: data, Encrypted: sopsfile.IsEncrypted(data)}
	if !d.Encrypted {
		d.plain = data
		d.prev = s.committedEncryption(rel, nil)
		return d, nil
	}
	if err := d.open(data); err != nil {
		return nil, err
	}
	d.plain = withoutSeal(d.prev.Plaintext())
	return d, nil
}

// open verifies an encrypted file and opens its data key, or recovers a
// text edit (see OpenDraft).
func (d *Draft) open(data []byte) error {
	s := d.store
	_, info, err := sopsfile.DecryptNodeInfo(data, s.keys)
	var ie *sopsfile.IntegrityError
	switch {
	case err == nil && info.MACOnlyEncrypted && !info.Sealed:
		return &IntegrityError{File: d.rel, Reason: "its MAC covers encrypted values only (mac_only_encrypted), so clear values cannot be verified before sealing; re-create it from a reviewed plaintext"}
	case err == nil:
		prev, err := sopsfile.OpenPrevious(data, s.keys)
		if err != nil {
			return sealError(d.rel, err)
		}
		d.prev = prev
		return nil
	case !errors.As(err, &ie):
		return sealError(d.rel, err)
	}
	prev, oerr := sopsfile.OpenPrevious(data, s.keys)
	if oerr != nil {
		prev = s.committedEncryption(d.rel, data)
	}
	if prev == nil {
		return &IntegrityError{File: d.rel, Reason: ie.Reason + "; its encrypted values do not open with its data key either, so it cannot be re-sealed: restore it (git checkout -- " + d.rel + ") and change it with secretsctl edit " + d.rel}
	}
	d.prev, d.Recovered, d.Reason = prev, true, ie.Reason
	return nil
}

// committedEncryption opens the version of rel committed at HEAD: with
// values nil, that version itself; else the given values with its data
// key. It returns nil when there is none or the keys do not open it.
func (s *Store) committedEncryption(rel string, values []byte) *sopsfile.Previous {
	return s.openCommitted(s.committedTree(""), rel, values)
}

// committedTree returns the tree of a revision ("" is HEAD), or nil.
func (s *Store) committedTree(rev string) *gitrepo.Tree {
	head, err := s.repo.Resolve(rev)
	if err != nil {
		return nil
	}
	tree, err := s.repo.Tree(head)
	if err != nil {
		return nil
	}
	return tree
}

// openCommitted is committedEncryption in a given tree (nil: none).
func (s *Store) openCommitted(tree *gitrepo.Tree, rel string, values []byte) *sopsfile.Previous {
	if tree == nil {
		return nil
	}
	committed, err := tree.ReadFile(s.repoPath(rel))
	if err != nil || !sopsfile.IsEncrypted(committed) {
		return nil
	}
	var prev *sopsfile.Previous
	if values == nil {
		prev, err = sopsfile.OpenPrevious(committed, s.keys)
	} else {
		prev, err = sopsfile.OpenPreviousWithKeyOf(values, committed, s.keys)
	}
	if err != nil {
		return nil
	}
	return prev
}

// RecipientsDiffer reports whether .sops.yaml now gives the document other
// master keys than those its kept data key is encrypted to: `secretsctl
// rekey` applies them.
func (d *Draft) RecipientsDiffer() bool {
	if d.prev == nil {
		return false
	}
	rules, err := d.store.rules(nil)
	if err != nil {
		return false
	}
	rule, err := rules.For(d.rel)
	if err != nil {
		return false
	}
	have, want := slices.Sorted(slices.Values(d.prev.Keys())), slices.Sorted(slices.Values(rule.Keys()))
	return !slices.Equal(have, want)
}

// sealLineRE matches the top-level seal line as sops prints it.
var sealLineRE = regexp.MustCompile(`(?m)^` + SealKey + `:.*\n?`)

// withoutSeal removes the top-level secretsctl_seal line of a plaintext.
func withoutSeal(plain []byte) []byte {
	return sealLineRE.ReplaceAll(plain, nil)
}

// Save validates plain with Check (by default [Store.ValidateForSeal]) and, if it passes,
// encrypts it and replaces the file atomically. It keeps the data key of
// the draft's encryption (and so the ciphertext of every unchanged value)
// when there is one, and otherwise encrypts with the creation rule
// .sops.yaml gives for the path. It fails, writing nothing, if the file
// changed on disk since the draft was opened.
func (d *Draft) Save(plain []byte) error {
	check := d.Check
	if check == nil {
		check = d.store.ValidateForSeal
	}
	if err := check(d.rel, plain); err != nil {
		return err
	}
	return d.write(plain)
}

// write is Save without validation.
func (d *Draft) write(plain []byte) error {
	enc, err := d.store.encryptPlain(d.rel, plain, d.prev)
	if err != nil {
		return err
	}
	path := d.store.worktreePath(d.rel)
	now, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(now, d.file) {
		return fmt.Errorf("seal %s: the file changed on disk while it was being edited; nothing was written", d.rel)
	}
	return writeFileAtomic(path, enc, 0o644)
}

// encryptPlain encrypts a plaintext document, keeping prev's data key when
// prev is not nil.
func (s *Store) encryptPlain(rel string, plain []byte, prev *sopsfile.Previous) ([]byte, error) {
	rules, err := s.rules(nil)
	if err != nil {
		return nil, err
	}
	if prev == nil {
		return s.encryptChecked(rules, rel, plain)
	}
	enc, err := sopsfile.EncryptKeeping(plain, prev)
	if err != nil {
		return nil, fmt.Errorf("encrypt %s: %w", rel, err)
	}
	// The kept encryption's options are checked like a new one's: no
	// value may end up in clear.
	rule, err := rules.For(rel)
	if err != nil {
		return nil, fmt.Errorf(".sops.yaml: %w", err)
	}
	if err := checkEncrypted(rel, rule, enc); err != nil {
		return nil, err
	}
	return enc, nil
}

// SealFile encrypts a YAML file of the store in place, sealing its
// structure, as [Store.OpenDraft] then [Draft.Save] of its plaintext would,
// but checking only that it is one YAML document, not its schema or
// references: it is for tools and tests that write documents readers will
// refuse. `secretsctl seal` validates with Draft.Save. A plaintext file is
// encrypted the way `sops encrypt -i` would; a SOPS file is decrypted,
// verified and encrypted again with its data key, which needs the private
// key. It does not commit.
func (s *Store) SealFile(rel string) error {
	d, err := s.OpenDraft(rel)
	if err != nil {
		return err
	}
	if _, err := parseYAML(rel, d.plain); err != nil {
		return err
	}
	return d.write(d.plain)
}

// worktreePath is the absolute path of a store-relative file.
func (s *Store) worktreePath(rel string) string {
	return filepath.Join(s.dir, filepath.FromSlash(rel))
}

// sealError maps a decryption failure of SealFile to the store's errors.
func sealError(file string, err error) error {
	var ie *sopsfile.IntegrityError
	var fe *sopsfile.FormatError
	switch {
	case errors.As(err, &ie):
		return &IntegrityError{File: file, Reason: ie.Reason}
	case errors.Is(err, sopsfile.ErrNoKey):
		return &KeyError{File: file, Err: err}
	case errors.As(err, &fe):
		return &DocumentError{File: file, Reason: fe.Error()}
	}
	return &DocumentError{File: file, Reason: err.Error()}
}
