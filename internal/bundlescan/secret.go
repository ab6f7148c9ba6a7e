package bundlescan

import (
	"fmt"
	"log/slog"
)

// MinValueLen is the shortest value Scan looks for. Shorter values (a port
// number, "admin") would match all over an ordinary bundle; they are reported
// as unscannable instead.
const MinValueLen = 8

// A Secret is one value that must not ship, with the names that must not be
// set in a rendered env or config file.
//
// Its value never prints: String, GoString, Format and LogValue redact it,
// and JSON encoding omits it.
type Secret struct {
	// ID is the stable secret id, such as "postgres/POSTGRES_PASSWORD".
	ID string
	// Deployment is "scenario/deployment" for a value the ledger issued to
	// a deployment; findings name it.
	Deployment string
	// Value is the plaintext to look for. Empty when only Names apply.
	Value []byte `json:"-"`
	// Names are env or config key names that a rendered env or config file
	// must not set (the targets of a secret stripped on the tier).
	Names []string
}

// String returns the id and "[redacted]" in place of the value.
func (s Secret) String() string {
	if s.Deployment != "" {
		return s.ID + "@" + s.Deployment + "=[redacted]"
	}
	return s.ID + "=[redacted]"
}

// GoString is String, so %#v does not print the value either.
func (s Secret) GoString() string { return s.String() }

// Format prints String for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue keeps the value out of structured logs.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
