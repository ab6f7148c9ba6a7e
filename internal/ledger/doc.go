// Package ledger is the issuance ledger: it issues, renders, rotates and
// revokes the bundle-time secrets of deployments, and answers audit and
// rotation questions from the ledger and its git history.
//
// # Events and state
//
// The ledger is append-only: every issue, rotate and revoke adds one
// SOPS-encrypted [store.LedgerEvent] under
// deployments/<scenario>/<deployment>/ in one commit on the ledger branch
// (never the checked-out one), and nothing is ever modified. The state of a deployment is derived by replaying its events
// in order ([Derive]): a value is active from the event that introduced it,
// previous once a rotation replaced it (for the secret's rotation_grace,
// 7 days by default), superseded after that, and revoked once an event
// revokes it.
//
// # Fingerprints
//
// Entries carry a keyed fingerprint of the value, HMAC-SHA256 under the
// store's fingerprint key ([Fingerprint]), never a bare hash: without the
// key a fingerprint says nothing about the value. The key is itself a store
// secret (deployments/fingerprint-key.yaml, SOPS-encrypted) and may also be
// given as SECRETSCTL_FINGERPRINT_KEY, so a job holding only that key and
// the public recipients can append events.
//
// # Secrets
//
// No function of this package prints, logs or returns a value in an error;
// values travel as [store.SecretValue] or hooks.Value, which print as
// [redacted].
package ledger
