package sopsfile

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/getsops/sops/v3"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/stores"
	"github.com/getsops/sops/v3/stores/yaml"
	"github.com/getsops/sops/v3/version"
)

// dataKeySize is the size of sops' AES-256 data key.
const dataKeySize = 32

// newStore returns sops' YAML store with the CLI's defaults (indent 4).
func newStore() *yaml.Store {
	return yaml.NewStore(&config.YAMLStoreConfig{})
}

// Encrypt turns a plaintext YAML document (one or more YAML documents whose
// top level is a mapping) into a SOPS-encrypted YAML document, encrypted to
// the rule's recipients. It follows `sops encrypt`: a random data key is
// encrypted to each recipient, the values the rule selects are encrypted
// with it, and the MAC is computed, encrypted with the data key and stored
// with lastmodified and the sops version. Only public keys are needed.
func Encrypt(plain []byte, rule Rule) ([]byte, error) {
	if err := rule.validate(); err != nil {
		return nil, fmt.Errorf("encrypt: rule: %w", err)
	}
	group, err := masterKeys(rule.Recipients)
	if err != nil {
		return nil, err
	}
	store := newStore()
	branches, err := store.LoadPlainFile(plain)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", yamlFormatError(err))
	}
	if len(branches) == 0 {
		return nil, fmt.Errorf("encrypt: %w", &FormatError{Reason: "empty document"})
	}
	if stores.HasSopsTopLevelKey(branches[0]) {
		return nil, fmt.Errorf("encrypt: %w", &FormatError{Reason: "top-level sops key present: already encrypted?"})
	}
	tree := sops.Tree{Branches: branches, Metadata: metadataFor(rule, []sops.KeyGroup{group})}
	if err := encryptTree(&tree); err != nil {
		return nil, err
	}
	out, err := store.EmitEncryptedFile(tree)
	if err != nil {
		return nil, fmt.Errorf("encrypt: emit yaml: %s", walkReason(err))
	}
	return out, nil
}

// masterKeys returns one age master key per recipient.
func masterKeys(recipients []string) (sops.KeyGroup, error) {
	group := make(sops.KeyGroup, 0, len(recipients))
	for _, r := range recipients {
		key, err := sopsage.MasterKeyFromRecipient(r)
		if err != nil {
			return nil, fmt.Errorf("encrypt: age recipient %q: %w", r, err)
		}
		group = append(group, key)
	}
	return group, nil
}

// metadataFor is sops' metadataFromEncryptionConfig for a Rule, including
// the CLI's default of "_unencrypted" when no regex or suffix is set.
func metadataFor(rule Rule, groups []sops.KeyGroup) sops.Metadata {
	m := sops.Metadata{
		KeyGroups:         groups,
		UnencryptedSuffix: rule.UnencryptedSuffix,
		EncryptedSuffix:   rule.EncryptedSuffix,
		UnencryptedRegex:  rule.UnencryptedRegex,
		EncryptedRegex:    rule.EncryptedRegex,
		MACOnlyEncrypted:  rule.MACOnlyEncrypted,
		Version:           version.Version,
	}
	if m.UnencryptedSuffix == "" && m.EncryptedSuffix == "" && m.UnencryptedRegex == "" && m.EncryptedRegex == "" {
		m.UnencryptedSuffix = sops.DefaultUnencryptedSuffix
	}
	return m
}

// encryptTree generates the data key, encrypts it to every master key
// (shamir-splitting it across several key groups, as sops does), encrypts
// the tree and stores the encrypted MAC: sops' GenerateDataKey followed by
// common.EncryptTree. With only age keys the local key service needs
// nothing but the public recipients.
func encryptTree(tree *sops.Tree) error {
	dataKey := make([]byte, dataKeySize)
	if _, err := rand.Read(dataKey); err != nil {
		return fmt.Errorf("encrypt: generate data key: %w", err)
	}
	if errs := tree.Metadata.UpdateMasterKeys(dataKey); len(errs) > 0 {
		return fmt.Errorf("encrypt: encrypt data key: %v", errs)
	}
	cipher := newSafeCipher()
	mac, err := tree.Encrypt(dataKey, cipher)
	if err != nil {
		if cipher.failure != nil {
			return fmt.Errorf("encrypt: %s", cipher.failure.Reason)
		}
		return fmt.Errorf("encrypt: %s", walkReason(err))
	}
	tree.Metadata.LastModified = time.Now().UTC()
	tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, dataKey, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("encrypt: encrypt mac: %w", err)
	}
	return nil
}
