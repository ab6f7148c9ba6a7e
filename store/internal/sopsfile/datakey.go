package sopsfile

import (
	"errors"
	"fmt"
	"slices"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/shamir"
)

// dataKey recovers a document's data key with the keyring's identities,
// trying each age master key directly instead of going through sops' key
// services (which would reload identities from the environment per key).
// With several key groups it recovers one shamir part per group, as sops'
// Metadata.GetDataKeyWithKeyServices does.
func (k *Keyring) dataKey(m sops.Metadata) ([]byte, error) {
	if len(m.KeyGroups) == 0 {
		return nil, &IntegrityError{Reason: "sops metadata has no key groups"}
	}
	if k.Empty() {
		return nil, k.noKey(m)
	}
	var parts [][]byte
	for i, group := range m.KeyGroups {
		part, err := k.decryptGroup(group)
		switch {
		case errors.Is(err, ErrNoKey):
		case err != nil:
			return nil, fmt.Errorf("key group %d: %w", i+1, err)
		default:
			parts = append(parts, part)
		}
	}
	if len(m.KeyGroups) == 1 {
		if len(parts) == 0 {
			return nil, k.noKey(m)
		}
		return checkKeySize(parts[0])
	}
	threshold := m.ShamirThreshold
	if threshold == 0 {
		threshold = len(m.KeyGroups) // what sops writes when none is set
	}
	if len(parts) < threshold {
		return nil, k.noKey(m)
	}
	dataKey, err := shamir.Combine(parts)
	if err != nil {
		return nil, &IntegrityError{Reason: "combine shamir parts of the data key: " + err.Error()}
	}
	return checkKeySize(dataKey)
}

// checkKeySize rejects a data key of the wrong size, which sops would only
// notice as a failure of the first value.
func checkKeySize(key []byte) ([]byte, error) {
	if len(key) != dataKeySize {
		return nil, &IntegrityError{Reason: fmt.Sprintf("data key has %d bytes, want %d", len(key), dataKeySize)}
	}
	return key, nil
}

// decryptGroup decrypts the group's data key (or shamir part) with the
// first age master key the keyring opens, trying first those whose
// recipient is one of the keyring's. A key whose ciphertext is garbled or
// fails authentication is an integrity failure unless another key opens
// the group; no key at all wraps ErrNoKey.
func (k *Keyring) decryptGroup(group sops.KeyGroup) ([]byte, error) {
	var integrity error
	for _, mk := range k.ordered(group) {
		sopsage.ParsedIdentities(k.ids).ApplyToMasterKey(mk)
		key, err := mk.Decrypt()
		if err == nil {
			return key, nil
		}
		var noMatch *age.NoIdentityMatchError
		if !errors.As(err, &noMatch) && integrity == nil {
			integrity = &IntegrityError{Reason: fmt.Sprintf("data key for age recipient %s: %v", mk.Recipient, err)}
		}
	}
	if integrity != nil {
		return nil, integrity
	}
	return nil, ErrNoKey
}

// ordered returns the group's age master keys, the keyring's own
// recipients first. The recipient field is not authenticated, so it is
// only a hint: every age key is tried.
func (k *Keyring) ordered(group sops.KeyGroup) []*sopsage.MasterKey {
	var mine, others []*sopsage.MasterKey
	for _, key := range group {
		mk, ok := key.(*sopsage.MasterKey)
		switch {
		case !ok:
		case slices.Contains(k.recipients, mk.Recipient):
			mine = append(mine, mk)
		default:
			others = append(others, mk)
		}
	}
	return append(mine, others...)
}

// noKey builds the ErrNoKey error for a document.
func (k *Keyring) noKey(m sops.Metadata) error {
	e := &noKeyError{ownRecipients: k.Recipients()}
	if k != nil {
		e.skipped = k.skipped
	}
	for _, group := range m.KeyGroups {
		for _, key := range group {
			if mk, ok := key.(*sopsage.MasterKey); ok {
				e.fileRecipients = append(e.fileRecipients, mk.Recipient)
			} else if t := key.TypeToIdentifier(); !slices.Contains(e.keyTypes, t) {
				e.keyTypes = append(e.keyTypes, t)
			}
		}
	}
	return e
}
