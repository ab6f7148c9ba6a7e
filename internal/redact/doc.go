// Package redact holds no code: its test formats every type that holds a
// secret value ([store.SecretValue], [store.LedgerEntry], [store.Vault],
// [hooks.Value], [hooks.File], [hooks.Bundle], [prompt.Value],
// [resolve.Value], [dotenv.Entry], bundlescan.Secret) with every fmt verb,
// in a struct and behind a pointer, as JSON and through both slog handlers,
// and fails if a value shows where it should not.
package redact
