// Package plan derives deployment manifests: a snapshot of the store, a
// scenario and a tier in, a [store.Manifest] out.
//
// [Build] is pure and deterministic: the same documents give the same
// manifest, byte for byte once encoded with [Encode]. [ForSnapshot] gathers
// the documents a plan needs from a [store.Snapshot] and calls it.
//
// # Effective strategy
//
// For each secret and tier the first of these that says something decides:
// the scenario's override, the strategy declared with the secret (by its
// resource or by the scenario itself), the store policy's default for the
// secret's classification, else [store.Unspecified]. The manifest records
// which one decided, as strategy_source.
//
// # Blocking
//
// A secret blocks the plan when its strategy is unspecified or incomplete,
// when it is an infrastructure secret planned as generate or prompt on a
// tier that ships to end users, or when it is unclassified on such a tier.
// Blocking secrets never reach bundle_secrets, and every one of them is
// listed in the summary.
package plan
