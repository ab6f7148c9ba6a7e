package store

import (
	"fmt"
	"regexp"
	"slices"

	"gopkg.in/yaml.v3"
)

// Vault is vault/<scope>.yaml: the filesystem vault, values for local
// development keyed by secret id. Under the default creation rules every
// value is encrypted; version and scope stay readable. A Vault prints as
// [redacted] so its values never reach a log by accident.
type Vault struct {
	Version int `json:"version" jsonschema:"enum=1"`
	// Scope is the file's name without .yaml, such as "local".
	Scope string `json:"scope" jsonschema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	// Values maps a secret id ("postgres/POSTGRES_PASSWORD") to its value.
	Values map[string]string `json:"values,omitempty"`
}

// String hides the values.
func (v Vault) String() string {
	return fmt.Sprintf("vault %s (%d values) [redacted]", v.Scope, len(v.Values))
}

// GoString hides the values from %#v.
func (v Vault) GoString() string { return v.String() }

// VaultFile is the store-relative path of a scope's filesystem vault.
func VaultFile(scope string) string { return "vault/" + scope + ".yaml" }

// secretIDRE is the shape of a secret id: owner/KEY.
var secretIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*/[A-Za-z_][A-Za-z0-9_.-]*$`)

// ValidSecretID reports whether id has the shape of a secret id,
// "<owner>/<KEY>".
func ValidSecretID(id string) bool { return secretIDRE.MatchString(id) }

// VaultScopes lists the scopes of the filesystem vault files at this
// revision, sorted.
func (sn *Snapshot) VaultScopes() ([]string, error) { return docNames(sn.src, "vault") }

// Vault returns the filesystem vault of a scope, decrypted and verified. It
// always needs the private key: a vault read without verification would
// hand out ciphertext as values, so it is a [*KeyError] even when the
// snapshot allows unverified reads. A scope without a file is a
// [*NotFoundError].
func (sn *Snapshot) Vault(scope string) (*Vault, error) {
	file := VaultFile(scope)
	known, _ := sn.VaultScopes()
	doc, err := sn.document(file, func(file string, node *yaml.Node) (any, error) {
		var v Vault
		pos, err := decodeNode(file, node, &v)
		if err != nil {
			return nil, err
		}
		sn.setPositions(file, pos)
		return &v, withLine(normalizeVault(file, scope, &v), pos)
	}, "vault", scope, known)
	if err != nil {
		return nil, err
	}
	if slices.Contains(sn.UnverifiedFiles(), file) {
		return nil, &KeyError{File: file, Err: ErrNoKey}
	}
	return doc.(*Vault), nil
}

func normalizeVault(file, scope string, v *Vault) error {
	if v.Scope != scope {
		return &DocumentError{File: file, Field: "scope", Reason: fmt.Sprintf("scope %q does not match the file name (want %q)", v.Scope, scope)}
	}
	for _, id := range sortedKeys(v.Values) {
		if !ValidSecretID(id) {
			return &DocumentError{File: file, Field: "values", Reason: fmt.Sprintf("key %q is not a secret id (want <owner>/<KEY>, such as postgres/POSTGRES_PASSWORD)", id)}
		}
	}
	return nil
}

// StoreDir returns the absolute directory of the snapshot's store.
func (sn *Snapshot) StoreDir() string { return sn.store.Dir() }
