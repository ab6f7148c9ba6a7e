// Package lint checks a store snapshot and reports findings: documents that
// do not decode, verify or validate, secrets without a strategy, and
// infrastructure secrets planned to reach end users, and what package
// [github.com/secretsctl/secretsctl/hooks] would fail on when a bundle is
// made: unknown generators, bad generator parameters, targets that leave
// the output directory, and templates that refer to secrets the scenario
// does not have.
//
// Every document the store holds is read and, with the key, verified:
// resources, scenarios and the config, and also the filesystem vault
// (vault/*.yaml), every ledger event (deployments/…) and the fingerprint
// key, which no plan reads. A file changed without the key is an integrity
// finding naming it; without the key such files are read unverified and
// the report says integrity: unverified.
//
// Every finding has a rule id, a severity, the file it is about and a
// one-line hint. Findings are deterministic and sorted.
package lint
