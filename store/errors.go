package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNotFound is wrapped by every error about something that does not exist:
// a store, a scenario, a resource, a revision.
var ErrNotFound = errors.New("not found")

// ErrNoKey is wrapped when a private key is needed and none can decrypt.
var ErrNoKey = errors.New("no private key can decrypt the store")

// NotFoundError names what was looked for and, when helpful, what exists.
type NotFoundError struct {
	Kind  string // "scenario", "resource", "store", "revision"
	Name  string
	Known []string
	Hint  string // what to do about it, when there is something
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("%s %q not found", e.Kind, e.Name)
	if len(e.Known) > 0 {
		msg += "; known: " + strings.Join(e.Known, ", ")
	}
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// DocumentError is a document that cannot be used: malformed YAML, a schema
// violation or a broken reference. It names the file, the field and the line
// when the YAML has one.
type DocumentError struct {
	File   string // path relative to the store
	Field  string // such as "secrets[2].strategies.tier-2-desktop.strategy"
	Line   int    // 1-based; 0 when unknown
	Reason string
}

func (e *DocumentError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Reason)
	return b.String()
}

// IntegrityError is a document whose SOPS MAC or ciphertext does not verify:
// it was changed without the key.
type IntegrityError struct {
	File   string
	Reason string
	// Plaintext is set when the file is not SOPS-encrypted at all (a new
	// document not sealed yet, or a decrypted copy), rather than tampered.
	Plaintext bool
}

func (e *IntegrityError) Error() string {
	return fmt.Sprintf("%s: integrity check failed: %s", e.File, e.Reason)
}

// KeyError is a document that cannot be decrypted with the keys at hand.
type KeyError struct {
	File string
	Err  error
}

func (e *KeyError) Error() string { return fmt.Sprintf("decrypt %s: %v", e.File, e.Err) }

// Unwrap makes errors.Is(err, ErrNoKey) true.
func (e *KeyError) Unwrap() error { return ErrNoKey }

// sortErrors orders errors by message so joined errors are deterministic.
func sortErrors(errs []error) {
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
}
