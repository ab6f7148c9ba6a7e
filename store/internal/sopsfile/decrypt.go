package sopsfile

import (
	"fmt"
	"strings"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/stores"
	"gopkg.in/yaml.v3"
)

// Decrypt decrypts a SOPS YAML document and verifies its MAC, then returns
// the plaintext YAML as `sops decrypt` prints it: sops metadata removed, key
// order and comments kept, four-space indentation. It is sops' view: it
// does not check the secretsctl seal, and shows the secretsctl_seal line of
// a sealed document as sops does; [DecryptNodeInfo] checks and removes it.
//
// The error matches [ErrNoKey] when no master key opens the data key (no
// identity of kr, and no other key with the credentials at hand),
// and is an [*IntegrityError] when the document fails verification or a
// [*FormatError] when it is not a SOPS YAML document.
func Decrypt(data []byte, kr *Keyring) ([]byte, error) {
	tree, err := loadEncrypted(data)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	dataKey, err := kr.dataKey(tree.Metadata)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	if err := decryptTree(tree, dataKey); err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	out, err := newStore().EmitPlainFile(tree.Branches)
	if err != nil {
		return nil, fmt.Errorf("decrypt: emit yaml: %s", walkReason(err))
	}
	return out, nil
}

// Cleartext returns the document with its top-level sops metadata removed
// and encrypted values left as their ENC[...] strings, without the key and
// without verifying anything: it is for reading the clear parts of a
// document when no private key is at hand, and what it returns may have
// been tampered with. Like Decrypt, it shows a secretsctl_seal line as sops
// would.
func Cleartext(data []byte) ([]byte, error) {
	store := newStore()
	branches, err := store.LoadPlainFile(data)
	if err != nil {
		return nil, fmt.Errorf("read cleartext: %w", yamlFormatError(err))
	}
	if len(branches) == 0 || !stores.HasSopsTopLevelKey(branches[0]) {
		return nil, fmt.Errorf("read cleartext: %w", &FormatError{Reason: "no sops metadata: not a sops document"})
	}
	for i, branch := range branches {
		kept := branch[:0]
		for _, item := range branch {
			if item.Key != stores.SopsMetadataKey {
				kept = append(kept, item)
			}
		}
		branches[i] = kept
	}
	out, err := store.EmitPlainFile(branches)
	if err != nil {
		return nil, fmt.Errorf("read cleartext: emit yaml: %s", walkReason(err))
	}
	return out, nil
}

// IsEncrypted reports whether data looks like a SOPS YAML document: its
// first YAML document is a mapping with a top-level sops mapping that has a
// non-empty mac. It verifies nothing.
func IsEncrypted(data []byte) bool {
	var doc struct {
		Sops struct {
			MAC string `yaml:"mac"`
		} `yaml:"sops"`
	}
	return yaml.Unmarshal(data, &doc) == nil && doc.Sops.MAC != ""
}

// loadEncrypted parses a SOPS YAML document and its metadata, as the sops
// store's LoadEncryptedFile does, sorting failures into format errors (no
// YAML, no sops key) and integrity errors (garbled metadata, no MAC).
func loadEncrypted(data []byte) (*sops.Tree, error) {
	branches, err := newStore().LoadPlainFile(data)
	if err != nil {
		return nil, yamlFormatError(err)
	}
	if len(branches) == 0 || !stores.HasSopsTopLevelKey(branches[0]) {
		return nil, &FormatError{Reason: "no sops metadata: not a sops document"}
	}
	branches, metadata, err := stores.ExtractMetadata(branches, stores.MetadataOpts{Flatten: stores.MetadataFlattenNone})
	if err != nil {
		// Metadata holds no plaintext, so sops' message is safe to show.
		return nil, &IntegrityError{Reason: "invalid sops metadata: " + lowerFirst(err.Error())}
	}
	if metadata.MessageAuthenticationCode == "" {
		return nil, &IntegrityError{Reason: "sops metadata has no mac"}
	}
	return &sops.Tree{Branches: branches, Metadata: metadata}, nil
}

// lowerFirst lowercases the first letter of a sops message.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// decryptTree decrypts every value in place and checks the MAC: sops'
// common.DecryptTree without the MAC in the error (it is a hash of the
// plaintext, so it would let anyone test guesses of low-entropy values).
func decryptTree(tree *sops.Tree, dataKey []byte) error {
	cipher := newSafeCipher()
	computed, err := tree.Decrypt(dataKey, cipher)
	if err != nil {
		if cipher.failure != nil {
			return cipher.failure
		}
		return &IntegrityError{Reason: walkReason(err)}
	}
	stored, err := cipher.inner.Decrypt(tree.Metadata.MessageAuthenticationCode, dataKey, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil {
		return &IntegrityError{Reason: "mac: " + decryptReason(err) + " (mac or lastmodified was changed)"}
	}
	if stored != computed {
		return &IntegrityError{Reason: "mac mismatch: the document was changed after it was encrypted"}
	}
	return nil
}
