// Package store is the secretsctl store: a folder of SOPS-encrypted YAML
// documents inside a git work tree, read at a revision and changed one commit
// at a time.
//
// A store declares, for every secret a scenario uses, its [Classification]
// and a [Strategy] per deployment tier. Documents are decoded into the types
// of this package ([Config], [Resource], [Scenario], [Secret]), validated
// against JSON Schemas generated from those types, and read through a
// [Snapshot] of one revision. The planner turns a snapshot into a [Manifest].
//
// # Layout
//
//	secretsctl.yaml              store configuration (tiers, policy defaults)
//	.sops.yaml                   standard SOPS creation rules (age recipients)
//	resources/<name>.yaml        secrets a shared resource declares
//	scenarios/<name>.yaml        resources a scenario uses, its own secrets, overrides
//	vault/<scope>.yaml           values for local development
//	plans/<scenario>/<tier>.json recorded plans
//
// and, on the ledger branch (secretsctl/ledger; [Snapshot.CommitLedger]):
//
//	deployments/<scenario>/<id>/ issuance ledger, one new file per event
//
// docs/store-format.md specifies the format, the encryption and the threat
// model in full.
//
// # Integrity
//
// Every document carries a SOPS MAC over all of its values. With a private
// age key the MAC is verified and a mismatch is an [IntegrityError]; without
// one, metadata can still be read and the snapshot reports
// [IntegrityUnverified].
//
// Only this package (through store/internal) touches git and SOPS.
package store
