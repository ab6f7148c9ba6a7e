package sopsfile

import (
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/getsops/sops/v3"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/keyservice"
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
// the rule's master keys. It follows `sops encrypt`: a random data key is
// encrypted to each master key through sops' local key service (split with
// shamir across several key groups), the values the rule selects are encrypted
// with it, and the MAC is computed, encrypted with the data key and stored
// with lastmodified and the sops version. Age and PGP need only public
// keys; Vault transit and the cloud KMS need their service and credentials
// (the environment sops reads), and an error names the key that failed.
//
// A plaintext of one YAML document is sealed (see seal.go): a top-level
// secretsctl_seal key is added after the last one, replacing any
// secretsctl_seal the plaintext has, and lastmodified is the second before
// the current one. A plaintext of several documents is encrypted as sops
// would, unsealed; [DecryptNode] refuses it anyway.
func Encrypt(plain []byte, rule Rule) ([]byte, error) {
	if err := rule.validate(); err != nil {
		return nil, fmt.Errorf("encrypt: rule: %w", err)
	}
	groups := rule.KeyGroups
	if len(groups) == 0 {
		group, err := masterKeys(rule.Recipients)
		if err != nil {
			return nil, err
		}
		groups = []sops.KeyGroup{group}
	}
	branches, err := loadPlain(plain)
	if err != nil {
		return nil, err
	}
	tree := sops.Tree{Branches: branches, Metadata: metadataFor(rule, groups)}
	if err := encryptTree(&tree); err != nil {
		return nil, err
	}
	out, err := newStore().EmitEncryptedFile(tree)
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
		ShamirThreshold:   rule.ShamirThreshold,
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
// common.EncryptTree.
//
// A tree of one document is sealed first (see seal.go): its top-level
// secretsctl_seal is set, and the MAC is encrypted with a marked IV. A tree
// of several documents, which [DecryptNode] refuses, is not sealed.
func encryptTree(tree *sops.Tree) error {
	dataKey := make([]byte, dataKeySize)
	if _, err := rand.Read(dataKey); err != nil {
		return fmt.Errorf("encrypt: generate data key: %w", err)
	}
	if err := updateMasterKeys(&tree.Metadata, dataKey); err != nil {
		return err
	}
	return encryptWithKey(tree, dataKey, newSafeCipher())
}

// updateMasterKeys encrypts the data key (or its shamir parts) to every
// master key of the metadata through sops' local key service, as sops
// does, with errors that name each key that failed and why.
func updateMasterKeys(m *sops.Metadata, dataKey []byte) error {
	for _, group := range m.KeyGroups {
		for _, key := range group {
			if err := checkVaultAddress(key); err != nil {
				return fmt.Errorf("encrypt: encrypt data key: %s: %w", keyName(key), err)
			}
		}
	}
	errs := m.UpdateMasterKeysWithKeyServices(dataKey, []keyservice.KeyServiceClient{keyservice.NewLocalClient()})
	if len(errs) == 0 {
		return nil
	}
	reasons := make([]string, len(errs))
	for i, err := range errs {
		reasons[i] = safeReason(err)
	}
	return fmt.Errorf("encrypt: encrypt data key: %s", strings.Join(reasons, "; "))
}

// encryptWithKey is encryptTree once the data key is chosen and encrypted
// to the tree's master keys. cipher picks each value's IV: a fresh cipher
// draws random ones, the cipher that decrypted an earlier encryption reuses
// the IV of every value whose key path and plaintext did not change, so
// that its ciphertext does not change either (see [EncryptKeeping]).
func encryptWithKey(tree *sops.Tree, dataKey []byte, cipher *safeCipher) error {
	// Fixed before anything is hashed, at the precision sops writes, and
	// one second early: sops stamps a re-encryption with the current
	// second, which then always differs, so that sops never reuses the IV
	// of the MAC (see seal.go).
	tree.Metadata.LastModified = time.Now().UTC().Truncate(time.Second).Add(-time.Second)
	lastModified := macAdditionalData(tree.Metadata)
	sealed := len(tree.Branches) == 1
	var iv []byte
	if sealed {
		var err error
		if iv, err = markedIV(dataKey); err != nil {
			return fmt.Errorf("encrypt: generate mac iv: %w", err)
		}
		seal, err := sealFor(tree, dataKey, lastModified, iv)
		if err != nil {
			return err
		}
		tree.Branches[0] = withSeal(tree.Branches[0], seal)
	}
	mac, err := encryptValues(tree, dataKey, cipher)
	if err != nil {
		return err
	}
	if !sealed {
		tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, dataKey, lastModified)
		if err != nil {
			return fmt.Errorf("encrypt: encrypt mac: %w", err)
		}
		return nil
	}
	vc, err := newValueCipher(dataKey)
	if err != nil {
		return fmt.Errorf("encrypt: encrypt mac: %w", err)
	}
	tree.Metadata.MessageAuthenticationCode = vc.encryptString(mac, iv, lastModified)
	return nil
}

// encryptValues is sops' Tree.Encrypt with errors that quote no value.
func encryptValues(tree *sops.Tree, dataKey []byte, cipher *safeCipher) (string, error) {
	mac, err := tree.Encrypt(dataKey, cipher)
	if err != nil {
		if cipher.failure != nil {
			return "", fmt.Errorf("encrypt: %s", cipher.failure.Reason)
		}
		return "", fmt.Errorf("encrypt: %s", walkReason(err))
	}
	return mac, nil
}

// sealFor computes the seal of a one-document tree (its plaintext, with the
// metadata and data key it is about to be encrypted with): it encrypts a
// copy with a placeholder seal, decrypts that with DecryptNode's walker and
// hashes the result, so that the seal covers the document exactly as
// DecryptNode will return it. Its errors are Encrypt's.
func sealFor(tree *sops.Tree, dataKey []byte, lastModified string, iv []byte) (string, error) {
	trial := sops.Tree{
		Branches: sops.TreeBranches{withSeal(copyBranch(tree.Branches[0]), placeholderSeal(lastModified))},
		Metadata: tree.Metadata,
	}
	if _, err := encryptValues(&trial, dataKey, newSafeCipher()); err != nil {
		return "", err // what encrypting the document itself would say
	}
	trial.Metadata.MessageAuthenticationCode = "placeholder"
	out, err := newStore().EmitEncryptedFile(trial)
	if err != nil {
		return "", fmt.Errorf("encrypt: emit yaml: %s", walkReason(err))
	}
	doc, sopsAt, err := parseSopsDocument(out)
	if err != nil {
		return "", fmt.Errorf("encrypt: seal: %w", err)
	}
	vc, err := newValueCipher(dataKey)
	if err != nil {
		return "", fmt.Errorf("encrypt: seal: %w", err)
	}
	if err := newWalker(trial.Metadata, vc).document(doc, sopsAt); err != nil {
		return "", fmt.Errorf("encrypt: seal: %w", err)
	}
	root := doc.Content[0]
	removePair(root, sopsAt)
	digest, err := sealDigest(root, findSeal(root), dataKey, lastModified, iv)
	if err != nil {
		return "", fmt.Errorf("encrypt: seal: %w", err)
	}
	return sealText(lastModified, digest), nil
}

// withSeal returns the top-level branch with its secretsctl_seal item, if
// any, removed and a new one holding seal added after its last value (before
// the comments that end the document).
func withSeal(branch sops.TreeBranch, seal string) sops.TreeBranch {
	kept := make(sops.TreeBranch, 0, len(branch)+1)
	for _, item := range branch {
		if k, ok := item.Key.(string); ok && k == sealKeyName {
			continue
		}
		kept = append(kept, item)
	}
	at := len(kept)
	for at > 0 {
		if _, isComment := kept[at-1].Key.(sops.Comment); !isComment {
			break
		}
		at--
	}
	return slices.Insert(kept, at, sops.TreeItem{Key: sealKeyName, Value: seal})
}

// copyBranch deep-copies a tree branch (sops encrypts in place).
func copyBranch(b sops.TreeBranch) sops.TreeBranch {
	out := make(sops.TreeBranch, len(b))
	for i, item := range b {
		out[i] = sops.TreeItem{Key: item.Key, Value: copyTreeValue(item.Value)}
	}
	return out
}

func copyTreeValue(v any) any {
	switch v := v.(type) {
	case sops.TreeBranch:
		return copyBranch(v)
	case []any:
		if v == nil {
			return v
		}
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = copyTreeValue(item)
		}
		return out
	}
	return v
}

// loadPlain parses a plaintext document into sops' tree branches for
// encryption: one document, not already encrypted.
func loadPlain(plain []byte) (sops.TreeBranches, error) {
	branches, err := newStore().LoadPlainFile(plain)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", yamlFormatError(err))
	}
	if len(branches) == 0 {
		return nil, fmt.Errorf("encrypt: %w", &FormatError{Reason: "empty document"})
	}
	if stores.HasSopsTopLevelKey(branches[0]) {
		return nil, fmt.Errorf("encrypt: %w", &FormatError{Reason: "top-level sops key present: already encrypted?"})
	}
	return branches, nil
}
