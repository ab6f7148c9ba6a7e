// Package hooks is the public SDK bundlers and app runtimes import to carry
// out a manifest's strategies: generators for generated secrets, targets and
// templates that place values in a bundle, prompts for user secrets and
// secure storage.
//
// This package is being built: it holds no API yet. The manifest types it
// works from are in package store.
package hooks
