package sopsfile

import (
	"fmt"
	"slices"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/stores"
	"github.com/getsops/sops/v3/version"
)

// Previous is an earlier encryption of a document, opened with its data key,
// for [EncryptKeeping]: its metadata (recipients, encrypted data key,
// creation options), its data key and the IV of each of its values.
//
// It holds the data key and the decrypted values; it never prints them.
type Previous struct {
	metadata sops.Metadata
	dataKey  []byte
	cipher   *safeCipher
	plain    []byte
}

// String implements fmt.Stringer without showing anything secret.
func (p *Previous) String() string { return "sopsfile.Previous[redacted]" }

// GoString implements fmt.GoStringer like String.
func (p *Previous) GoString() string { return p.String() }

// OpenPrevious recovers the data key of a SOPS YAML document with the
// keyring and decrypts every value, each authenticated by AES-GCM with its
// key path. It does not check the MAC or the secretsctl seal: callers that
// need a verified document use [DecryptNodeInfo] first; [Previous.Plaintext]
// serves a document whose clear parts were edited as text (so its MAC no
// longer matches) but whose encrypted values are intact.
//
// Errors are those of [Decrypt]: [ErrNoKey], [*IntegrityError] (a value
// fails authentication), [*FormatError].
func OpenPrevious(data []byte, kr *Keyring) (*Previous, error) {
	return openPrevious(data, nil, kr)
}

// OpenPreviousWithKeyOf is [OpenPrevious] with the data key and metadata
// taken from another encryption of the same document, keySource (say, the
// committed version of a file whose sops metadata was damaged by an edit).
func OpenPreviousWithKeyOf(data, keySource []byte, kr *Keyring) (*Previous, error) {
	return openPrevious(data, keySource, kr)
}

// openPrevious opens data with the data key of keySource, or of data
// itself when keySource is nil.
func openPrevious(data, keySource []byte, kr *Keyring) (*Previous, error) {
	var tree, keyTree *sops.Tree
	var err error
	if keySource == nil {
		tree, err = loadEncrypted(data)
		keyTree = tree
	} else if keyTree, err = loadEncrypted(keySource); err == nil {
		tree, err = loadValues(data)
	}
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	tree.Metadata = keyTree.Metadata
	dataKey, err := kr.dataKey(keyTree.Metadata)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	cipher := newSafeCipher()
	if _, err := tree.Decrypt(dataKey, cipher); err != nil {
		if cipher.failure != nil {
			return nil, fmt.Errorf("open: %w", cipher.failure)
		}
		return nil, fmt.Errorf("open: %w", &IntegrityError{Reason: walkReason(err)})
	}
	plain, err := newStore().EmitPlainFile(tree.Branches)
	if err != nil {
		return nil, fmt.Errorf("open: emit yaml: %s", walkReason(err))
	}
	return &Previous{metadata: keyTree.Metadata, dataKey: dataKey, cipher: cipher, plain: plain}, nil
}

// loadValues parses a SOPS YAML document, dropping its sops metadata
// without reading it.
func loadValues(data []byte) (*sops.Tree, error) {
	branches, err := newStore().LoadPlainFile(data)
	if err != nil {
		return nil, yamlFormatError(err)
	}
	if len(branches) == 0 {
		return nil, &FormatError{Reason: "empty document"}
	}
	branches[0] = slices.DeleteFunc(branches[0], func(item sops.TreeItem) bool {
		return item.Key == stores.SopsMetadataKey
	})
	return &sops.Tree{Branches: branches}, nil
}

// Plaintext returns the decrypted document as `sops decrypt` prints it,
// secretsctl_seal line included (as [Decrypt] shows it).
func (p *Previous) Plaintext() []byte { return slices.Clone(p.plain) }

// Recipients returns the age recipients the data key is encrypted to.
func (p *Previous) Recipients() []string {
	return ageRecipients(p.metadata.KeyGroups)
}

// Keys names every master key the data key is encrypted to, as
// [Rule.Keys] does.
func (p *Previous) Keys() []string {
	return Rule{KeyGroups: p.metadata.KeyGroups}.Keys()
}

// UpdateKeys encrypts prev's data key to the master keys and key groups of
// rule instead of its own, as `sops updatekeys` does: the data key, and so
// every value's ciphertext in a later [EncryptKeeping], stays the same; the
// options that chose which values are encrypted stay prev's. Encrypting
// to a Vault transit key or a cloud KMS needs its service; the error names
// the key that failed.
func (p *Previous) UpdateKeys(rule Rule) error {
	if err := rule.validate(); err != nil {
		return fmt.Errorf("update keys: rule: %w", err)
	}
	groups := rule.KeyGroups
	if len(groups) == 0 {
		group, err := masterKeys(rule.Recipients)
		if err != nil {
			return err
		}
		groups = []sops.KeyGroup{group}
	}
	m := p.metadata
	m.KeyGroups = groups
	m.ShamirThreshold = rule.ShamirThreshold
	if err := updateMasterKeys(&m, p.dataKey); err != nil {
		return err
	}
	m.DataKey = nil
	p.metadata = m
	return nil
}

// EncryptKeeping is [Encrypt] for a new version of the document prev was
// opened from: it keeps prev's data key, encrypted to the same recipients
// with the same ciphertext, and prev's creation options (which values are
// encrypted, mac_only_encrypted), and gives every value whose key path and
// plaintext did not change the IV, hence the ciphertext, it had in prev. A
// `git diff` of the result shows the values that changed and the sops
// metadata that changes with every encryption (lastmodified, mac) and the
// seal. sops edit behaves the same way.
//
// Rotating the data key, or applying new creation rules, is [Encrypt]'s job.
// Reusing an IV is safe here because it is reused only for the same
// plaintext under the same key and additional data, which yields the same
// ciphertext, revealing only that the value did not change.
func EncryptKeeping(plain []byte, prev *Previous) ([]byte, error) {
	branches, err := loadPlain(plain)
	if err != nil {
		return nil, err
	}
	m := prev.metadata
	m.Version = version.Version
	m.MessageAuthenticationCode = ""
	m.DataKey = nil
	tree := sops.Tree{Branches: branches, Metadata: m}
	if err := encryptWithKey(&tree, prev.dataKey, prev.cipher); err != nil {
		return nil, err
	}
	out, err := newStore().EmitEncryptedFile(tree)
	if err != nil {
		return nil, fmt.Errorf("encrypt: emit yaml: %s", walkReason(err))
	}
	return out, nil
}
