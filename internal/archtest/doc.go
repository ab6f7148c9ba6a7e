// Package archtest holds no code: its test keeps the package layering of
// STYLE.md honest by listing every package's imports with `go list`.
package archtest
