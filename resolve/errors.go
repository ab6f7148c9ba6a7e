package resolve

import (
	"fmt"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// MissingError lists every required secret no source had, with where each
// source looked. It wraps [store.ErrNotFound].
type MissingError struct {
	Scenario string
	Tier     string
	Missing  []Missing
}

func (e *MissingError) Error() string {
	var b strings.Builder
	what := "required secrets are missing"
	if len(e.Missing) == 1 {
		what = "required secret is missing"
	}
	fmt.Fprintf(&b, "%d %s", len(e.Missing), what)
	if e.Scenario != "" {
		fmt.Fprintf(&b, " for %s on %s", e.Scenario, e.Tier)
	}
	b.WriteString(":")
	for _, m := range e.Missing {
		fmt.Fprintf(&b, "\n  %s (%s): looked in %s", m.ID, m.Env, strings.Join(m.LookedIn, "; "))
	}
	return b.String()
}

// Unwrap makes errors.Is(err, store.ErrNotFound) true.
func (e *MissingError) Unwrap() error { return store.ErrNotFound }

// SourceError is a source that could not be read: a .env file that is
// missing or malformed, Vault down or refusing the token. It names the
// source and, for Vault, VAULT_ADDR and the path; never a value.
type SourceError struct {
	Source string
	Kind   store.SourceKind
	// Where is the file, or "VAULT_ADDR=<address> path <path>".
	Where string
	Err   error
}

func (e *SourceError) Error() string {
	return fmt.Sprintf("%s source %q: %s: %v", e.Kind, e.Source, e.Where, e.Err)
}

func (e *SourceError) Unwrap() error { return e.Err }

// InvalidIDError is a string that is not a secret id.
type InvalidIDError struct{ ID string }

func (e *InvalidIDError) Error() string {
	return fmt.Sprintf("invalid secret id %q: want <owner>/<KEY>, such as postgres/POSTGRES_PASSWORD", e.ID)
}
