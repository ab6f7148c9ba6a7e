package sopsfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getsops/sops/v3"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/keys"
)

// noKeyError is the [ErrNoKey] error with the details of one document.
type noKeyError struct {
	groups        []groupReport
	need          int      // key groups that must open
	ownRecipients []string // recipients of the keyring's identities
	skipped       int      // identities the keyring could not use
}

// groupReport is what one key group of a document holds and how it fared.
type groupReport struct {
	ageRecipients []string
	keyTypes      []string // types of its other keys
	groupResult
}

// noKey builds the ErrNoKey error for a document.
func (k *Keyring) noKey(m sops.Metadata, results []groupResult, need int) error {
	e := &noKeyError{need: need, ownRecipients: k.Recipients()}
	if k != nil {
		e.skipped = k.skipped
	}
	for i, group := range m.KeyGroups {
		g := groupReport{groupResult: results[i]}
		for _, key := range group {
			if mk, ok := key.(*sopsage.MasterKey); ok {
				g.ageRecipients = append(g.ageRecipients, mk.Recipient)
			} else {
				if t := key.TypeToIdentifier(); !slices.Contains(g.keyTypes, t) {
					g.keyTypes = append(g.keyTypes, t)
				}
			}
		}
		e.groups = append(e.groups, g)
	}
	return e
}

// Error implements error.
func (e *noKeyError) Error() string {
	var b strings.Builder
	b.WriteString(ErrNoKey.Error())
	if len(e.groups) == 1 {
		b.WriteString(": " + e.groups[0].describe("document"))
	} else {
		e.describeGroups(&b)
	}
	if e.hasAge() {
		e.describeIdentities(&b)
	}
	return b.String()
}

// describeGroups says how many groups are needed, which opened and why
// the others did not.
func (e *noKeyError) describeGroups(b *strings.Builder) {
	var opened, missing []string
	for i, g := range e.groups {
		if g.opened {
			opened = append(opened, fmt.Sprintf("%d (%s)", i+1, strings.Join(g.types(), ", ")))
		} else {
			missing = append(missing, fmt.Sprintf("group %d: %s", i+1, g.describe("group")))
		}
	}
	fmt.Fprintf(b, ": %d of %d key groups must open (shamir_threshold), %d did", e.need, len(e.groups), len(opened))
	if len(opened) > 0 {
		b.WriteString("; opened key groups " + strings.Join(opened, ", "))
	}
	b.WriteString("; missing key groups: " + strings.Join(missing, "; "))
}

// describe says what a group (or a one-group document) is encrypted to and
// why its keys failed.
func (g groupReport) describe(what string) string {
	var parts []string
	if len(g.ageRecipients) > 0 {
		if what == "group" {
			parts = append(parts, "age recipients "+strings.Join(g.ageRecipients, ", ")+" (no loaded identity matches)")
		} else {
			parts = append(parts, what+" is encrypted to age recipients "+strings.Join(g.ageRecipients, ", "))
		}
	}
	parts = append(parts, g.failures...)
	if len(parts) == 0 {
		return what + " has no master keys"
	}
	return strings.Join(parts, "; ")
}

// types lists the key types of a group, age first.
func (g groupReport) types() []string {
	var out []string
	if len(g.ageRecipients) > 0 {
		out = append(out, "age")
	}
	return append(out, g.keyTypes...)
}

// hasAge reports whether any group has an age key.
func (e *noKeyError) hasAge() bool {
	for _, g := range e.groups {
		if len(g.ageRecipients) > 0 {
			return true
		}
	}
	return false
}

// describeIdentities says which age identities are loaded and where they
// come from.
func (e *noKeyError) describeIdentities(b *strings.Builder) {
	if len(e.ownRecipients) == 0 {
		b.WriteString("; no age identity is loaded")
	} else {
		fmt.Fprintf(b, "; loaded age identities are for %s", strings.Join(e.ownRecipients, ", "))
	}
	if e.skipped > 0 {
		fmt.Fprintf(b, " (%d age plugin identities skipped: not supported)", e.skipped)
	}
	b.WriteString("; age identities come from " + keySources)
}

// Unwrap makes errors.Is(err, ErrNoKey) true.
func (e *noKeyError) Unwrap() error { return ErrNoKey }

// SomeGroupsOpened reports whether err is an [ErrNoKey] error of a document
// with several key groups, some but not enough of which the keys at hand
// opened.
func SomeGroupsOpened(err error) bool {
	var e *noKeyError
	if !errors.As(err, &e) {
		return false
	}
	for _, g := range e.groups {
		if g.opened {
			return true
		}
	}
	return false
}

// keyName names a master key by its type and sops' own description (a
// fingerprint, an ARN, a URL: never a credential).
func keyName(mk keys.MasterKey) string {
	return mk.TypeToIdentifier() + " key " + mk.ToString()
}

// credentialVars are the environment variables of sops' providers that
// hold secrets; their values are cut out of provider errors, which should
// not contain them anyway.
var credentialVars = []string{
	"VAULT_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_SECRET",
	"AZURE_CLIENT_CERTIFICATE_PASSWORD", "GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN",
	"SOPS_AGE_KEY", "HUAWEICLOUD_SDK_SK",
}

// vaultTokenFile is where sops' Vault client reads a token when
// VAULT_TOKEN is unset: ~/.vault-token (sops v3.13 reads no
// VAULT_TOKEN_FILE).
const vaultTokenFile = ".vault-token"

// maxReasonSize bounds a provider's error message, in bytes.
const maxReasonSize = 400

// safeReason is a provider error on one line, without any credential of
// the environment or the Vault token file, and bounded in length. The
// credentials are cut out before whitespace is collapsed and, in their
// collapsed form, after: a multi-line credential (GOOGLE_CREDENTIALS) is
// caught either way.
func safeReason(err error) string {
	secrets := credentials()
	msg := redact(err.Error(), secrets)
	msg = redact(strings.Join(strings.Fields(msg), " "), secrets)
	if len(msg) > maxReasonSize {
		cut := maxReasonSize
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}

// credentials are the values of credentialVars and the Vault token file,
// each as it is and with its whitespace collapsed; values shorter than 4
// bytes are left out (they would redact ordinary words).
func credentials() []string {
	var values []string
	for _, name := range credentialVars {
		values = append(values, os.Getenv(name))
	}
	if home, err := os.UserHomeDir(); err == nil {
		if b, err := os.ReadFile(filepath.Join(home, vaultTokenFile)); err == nil {
			values = append(values, strings.TrimSpace(string(b)))
		}
	}
	var out []string
	for _, v := range values {
		for _, form := range []string{v, strings.Join(strings.Fields(v), " ")} {
			if len(form) >= 4 && !slices.Contains(out, form) {
				out = append(out, form)
			}
		}
	}
	return out
}

// redact replaces every occurrence of each secret in msg.
func redact(msg string, secrets []string) string {
	for _, v := range secrets {
		msg = strings.ReplaceAll(msg, v, "[redacted]")
	}
	return msg
}
