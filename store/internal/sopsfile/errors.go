package sopsfile

import (
	"errors"
	"regexp"
	"strings"
)

// ErrNoKey reports that no master key of a document opens its data key:
// no identity in the [Keyring] matches its age recipients and no other key
// (PGP, Vault transit, a cloud KMS) can be used with the environment at
// hand, or fewer key groups opened than shamir_threshold asks. Errors
// returned by [Decrypt] match it with errors.Is and name the document's
// keys, which groups opened and why the others did not.
var ErrNoKey = errors.New("no key can decrypt the data key")

// ErrNoRule reports that no creation rule of a .sops.yaml matches a path.
var ErrNoRule = errors.New("no creation rule matches")

// keySources names where identities come from, for error hints.
const keySources = "SOPS_AGE_KEY_FILE, SOPS_AGE_KEY or SOPS_AGE_KEY_CMD (or the sops default keys.txt)"

// IntegrityError reports a document that fails verification: a MAC
// mismatch, a value or data key whose ciphertext fails authentication, or a
// missing or garbled MAC or sops metadata block.
type IntegrityError struct {
	// Reason says what failed; it never contains a plaintext value.
	Reason string
}

// Error implements error.
func (e *IntegrityError) Error() string {
	return "integrity check failed: " + e.Reason
}

// FormatError reports input that is not YAML, or not a SOPS document where
// one is required, or a plaintext document sops cannot encrypt.
type FormatError struct {
	// Reason says what is wrong; it never contains a value from the document.
	Reason string
}

// Error implements error.
func (e *FormatError) Error() string {
	return "invalid document: " + e.Reason
}

var (
	// safeYAMLMessage matches yaml parser errors that cannot quote input.
	safeYAMLMessage = regexp.MustCompile(`^yaml: line \d+: [a-zA-Z ,;()-]+$`)
	lineNumber      = regexp.MustCompile(`line (\d+)`)
)

// yamlFormatError turns a YAML error from the sops store into a
// [*FormatError] whose reason keeps line numbers but never quoted input:
// yaml.v3 quotes scalars in "cannot unmarshal" errors, which for a document
// made of a single scalar would be a secret.
func yamlFormatError(err error) *FormatError {
	msg := strings.TrimPrefix(err.Error(), "Error unmarshaling input YAML: ")
	if safeYAMLMessage.MatchString(msg) {
		return &FormatError{Reason: "invalid yaml: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	var where string
	if m := lineNumber.FindStringSubmatch(msg); m != nil {
		where = " at line " + m[1]
	}
	switch {
	case strings.Contains(msg, "sequences are not supported"):
		return &FormatError{Reason: "top level is a sequence, not a mapping"}
	case strings.Contains(msg, "cannot unmarshal"):
		return &FormatError{Reason: "top level is not a mapping" + where}
	case strings.Contains(msg, "already defined"):
		return &FormatError{Reason: "duplicate key" + where}
	}
	return &FormatError{Reason: "invalid yaml" + where}
}

var walkErrorType = regexp.MustCompile(`(unknown type: \S+|non-string key \(type [^)]+\)|but got \S+)`)

// walkReason describes an error of sops' tree walk that did not come from
// the cipher. Its messages can quote keys and values, so only the type
// information is kept.
func walkReason(err error) string {
	if m := walkErrorType.FindString(err.Error()); m != "" {
		return "unsupported value in document tree (" + m + ")"
	}
	return "unsupported value in document tree"
}
