package ledger

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// FingerprintKeyEnv is the environment variable that may hold the
// fingerprint key, hex encoded.
const FingerprintKeyEnv = "SECRETSCTL_FINGERPRINT_KEY"

// fingerprintPrefix names the fingerprint scheme.
const fingerprintPrefix = "hmac-sha256:"

// keyBytes is the size of a new fingerprint key.
const keyBytes = 32

// Fingerprint is the keyed fingerprint of a value: "hmac-sha256:" and the
// hex HMAC-SHA256 of the value under key.
func Fingerprint(key []byte, value string) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, value)
	return fingerprintPrefix + hex.EncodeToString(m.Sum(nil))
}

// ParseKey decodes a hex fingerprint key of at least 16 bytes.
func ParseKey(s string) ([]byte, error) {
	k, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) < 16 {
		return nil, errors.New("a fingerprint key is at least 16 bytes, hex encoded")
	}
	return k, nil
}

// fingerprintKey is the key events are fingerprinted with and, when it is
// new, the document that stores it.
type fingerprintKey struct {
	key []byte
	doc any // non-nil when the key must be committed with the event
}

// resolveKey picks the fingerprint key: the store's, else the one in the
// environment (stored with the event, encrypted), else a new random one.
// When both exist they must agree.
func resolveKey(sn *store.Snapshot, fromEnv string, rand io.Reader) (fingerprintKey, error) {
	var envKey []byte
	if fromEnv != "" {
		k, err := ParseKey(fromEnv)
		if err != nil {
			return fingerprintKey{}, fmt.Errorf("%s: %w", FingerprintKeyEnv, err)
		}
		envKey = k
	}
	stored, err := sn.FingerprintKey()
	var nf *store.NotFoundError
	var ke *store.KeyError
	switch {
	case err == nil:
		k, err := ParseKey(stored)
		if err != nil {
			return fingerprintKey{}, &store.DocumentError{File: store.FingerprintKeyFile, Field: "value", Reason: err.Error()}
		}
		if envKey != nil && !hmac.Equal(k, envKey) {
			return fingerprintKey{}, fmt.Errorf("%s differs from the store's fingerprint key (%s)", FingerprintKeyEnv, store.FingerprintKeyFile)
		}
		return fingerprintKey{key: k}, nil
	case errors.As(err, &ke) && envKey != nil:
		return fingerprintKey{key: envKey}, nil
	case errors.As(err, &nf) && envKey != nil:
		return fingerprintKey{key: envKey, doc: store.FingerprintKeyDocument(hex.EncodeToString(envKey))}, nil
	case errors.As(err, &nf):
		k := make([]byte, keyBytes)
		if _, err := io.ReadFull(rand, k); err != nil {
			return fingerprintKey{}, fmt.Errorf("make fingerprint key: %w", err)
		}
		return fingerprintKey{key: k, doc: store.FingerprintKeyDocument(hex.EncodeToString(k))}, nil
	}
	return fingerprintKey{}, fmt.Errorf("read fingerprint key: %w (or set %s)", err, FingerprintKeyEnv)
}
