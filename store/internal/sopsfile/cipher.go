package sopsfile

import (
	"fmt"
	"strings"

	"github.com/getsops/sops/v3/aes"
)

// safeCipher wraps sops' AES-GCM cipher so that no error it returns can
// carry a value. sops' own errors do: a value that is not in ENC[...] form is
// quoted, and a type tag that does not fit the decrypted bytes (the tag is
// not authenticated) yields a strconv error quoting the plaintext. sops'
// tree walk formats cipher errors with %s, dropping any wrapping, so the
// first failure is also kept here for the caller to report.
type safeCipher struct {
	inner aes.Cipher
	// failure is the first error returned, with a reason safe to show.
	failure *IntegrityError
}

// newSafeCipher returns a fresh cipher (and so fresh IVs for every value).
func newSafeCipher() *safeCipher {
	return &safeCipher{inner: aes.NewCipher()}
}

// Encrypt implements sops.Cipher.
func (c *safeCipher) Encrypt(plaintext any, key []byte, additionalData string) (string, error) {
	out, err := c.inner.Encrypt(plaintext, key, additionalData)
	if err != nil {
		return "", c.fail("value at %s: cannot encrypt a value of type %T", pathOf(additionalData), plaintext)
	}
	return out, nil
}

// Decrypt implements sops.Cipher.
func (c *safeCipher) Decrypt(ciphertext string, key []byte, additionalData string) (out any, err error) {
	defer func() {
		// aes.Cipher keeps each plaintext as a map key, which panics for a
		// value of type bytes (hash of unhashable type []uint8): the sops
		// CLI crashes on such a value; here it fails like any other.
		if r := recover(); r != nil {
			out, err = nil, c.fail("value at %s: %s", pathOf(additionalData), errBytesType)
		}
	}()
	out, err = c.inner.Decrypt(ciphertext, key, additionalData)
	if err != nil {
		return nil, c.fail("value at %s: %s", pathOf(additionalData), decryptReason(err))
	}
	return out, nil
}

// fail records and returns an integrity failure.
func (c *safeCipher) fail(format string, args ...any) error {
	e := &IntegrityError{Reason: fmt.Sprintf(format, args...)}
	if c.failure == nil {
		c.failure = e
	}
	return e
}

// decryptReason classifies an error of aes.Cipher.Decrypt by the fixed
// prefixes of sops v3.13.3, without repeating its text.
func decryptReason(err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "Input string"):
		return "not an ENC[AES256_GCM,...] value"
	case strings.HasPrefix(msg, "Error base64-decoding"):
		return "ENC[...] value is not valid base64"
	case strings.HasPrefix(msg, "Could not decrypt with AES_GCM"):
		return "ciphertext failed authentication"
	case strings.HasPrefix(msg, "Unknown datatype"):
		return "ENC[...] value has an unknown type tag"
	}
	return "decrypted value does not match its type tag"
}

// pathOf turns sops' additional data "a:b:" into "a:b" for messages; the
// metadata MAC uses lastmodified instead, which is shown as is.
func pathOf(additionalData string) string {
	if p := strings.TrimSuffix(additionalData, ":"); p != "" {
		return p
	}
	return "(top)"
}
