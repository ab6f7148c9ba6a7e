// Package cli is the secretsctl command line: one file per command, each a
// newXCommand with an options struct and a runX function tests can call.
//
// Flags and the environment are read here and nowhere else; everything below
// receives options. Errors map to the exit codes of [ExitCodes].
package cli
