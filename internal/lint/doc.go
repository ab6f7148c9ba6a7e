// Package lint checks a store snapshot and reports findings: documents that
// do not decode, verify or validate, secrets without a strategy, and
// infrastructure secrets planned to reach end users.
//
// Every finding has a rule id, a severity, the file it is about and a
// one-line hint. Findings are deterministic and sorted.
package lint
