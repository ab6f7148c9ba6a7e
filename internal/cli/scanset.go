package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/store"
)

// Scopes of verify-bundle's scan set.
const (
	// scopeStore looks for every infrastructure value the store can
	// resolve and every value the ledger issued, plus the scenario's own
	// set: a workspace .env copied into one app's bundle is caught.
	scopeStore = "store"
	// scopeScenario looks only for the scenario's infrastructure secrets
	// and its secrets stripped on the tier.
	scopeScenario = "scenario"
)

// scanSet is what a bundle is scanned for, with where each value came from
// (counts only, never a value).
type scanSet struct {
	secrets     []bundlescan.Secret
	unscannable []bundlescan.Unscannable
	seen        map[string]bool
	summary     scanSummary
}

// scanSummary says how many values verify-bundle looked for and where they
// came from, and what it could not read. It holds no value.
type scanSummary struct {
	Scope string `json:"scope"`
	// Values counts the distinct values looked for (at least
	// [bundlescan.MinValueLen] bytes long).
	Values int          `json:"values"`
	From   []scanOrigin `json:"from"`
	// TooShort counts store values shorter than bundlescan.MinValueLen,
	// which are not looked for (the scenario's own are listed as
	// unscannable instead).
	TooShort int `json:"too_short"`
	// Unreadable are sources and deployments that could not be read: a
	// warning, or with --strict an error.
	Unreadable []unreadable `json:"unreadable"`
	// Skipped are optional sources that could not be read (a .env file
	// that does not exist): they may be missing, as for every command.
	Skipped []unreadable `json:"skipped"`
}

// scanOrigin counts the values one origin added to the scan set.
type scanOrigin struct {
	Origin string `json:"origin"`
	Values int    `json:"values"`
}

// unreadable is a source or deployment whose values could not be read, so
// were not looked for.
type unreadable struct {
	What   string `json:"what"`
	Reason string `json:"reason"`
	err    error
}

func newScanSet(scope string) *scanSet {
	return &scanSet{seen: map[string]bool{}, summary: scanSummary{Scope: scope, From: []scanOrigin{}, Unreadable: []unreadable{}, Skipped: []unreadable{}}}
}

// add puts s in the set unless the same value of the same secret (and
// deployment) is in it already, and counts it under origin. Values from the
// store at large that are too short to look for are only counted.
func (ss *scanSet) add(s bundlescan.Secret, origin string, own bool) {
	key := s.ID + "\x00" + s.Deployment + "\x00" + string(s.Value)
	if len(s.Value) > 0 && ss.seen[key] {
		return
	}
	if !own && len(s.Value) < bundlescan.MinValueLen {
		ss.summary.TooShort++
		return
	}
	ss.seen[key] = true
	ss.secrets = append(ss.secrets, s)
	if len(s.Value) < bundlescan.MinValueLen {
		return
	}
	ss.summary.Values++
	for i := range ss.summary.From {
		if ss.summary.From[i].Origin == origin {
			ss.summary.From[i].Values++
			return
		}
	}
	ss.summary.From = append(ss.summary.From, scanOrigin{Origin: origin, Values: 1})
}

// cannotRead notes a source or deployment that could not be read.
func (ss *scanSet) cannotRead(what string, err error) {
	ss.summary.Unreadable = append(ss.summary.Unreadable, unreadable{What: what, Reason: err.Error(), err: err})
}

// skip notes an optional source that could not be read, once.
func (ss *scanSet) skip(what, reason string) {
	for _, s := range ss.summary.Skipped {
		if s.What == what {
			return
		}
	}
	ss.summary.Skipped = append(ss.summary.Skipped, unreadable{What: what, Reason: reason})
}

// strictError is the error --strict makes of unreadable values.
func (ss *scanSet) strictError() error {
	u := ss.summary.Unreadable
	if len(u) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "--strict: the values of %d sources or deployments could not be read, so were not looked for:", len(u))
	for _, x := range u {
		fmt.Fprintf(&b, "\n  %s: %s", x.What, x.Reason)
	}
	return fmt.Errorf("%s%w", b.String(), firstErr(u))
}

// firstErr wraps the first unreadable's error (for its exit code) without
// repeating its text.
func firstErr(u []unreadable) error { return quietErr{u[0].err} }

type quietErr struct{ err error }

func (q quietErr) Error() string { return "" }
func (q quietErr) Unwrap() error { return q.err }

// line describes the set for people, counts only: "looked for 57 values:
// 12 of the scenario, 40 from source local (filesystem), 5 from the ledger".
func (s scanSummary) line() string {
	parts := make([]string, 0, len(s.From))
	for _, o := range s.From {
		parts = append(parts, fmt.Sprintf("%d %s", o.Values, o.Origin))
	}
	text := fmt.Sprintf("looked for %d values (scope %s)", s.Values, s.Scope)
	if len(parts) > 0 {
		text += ": " + strings.Join(parts, ", ")
	}
	if n := len(s.Skipped); n > 0 {
		text += fmt.Sprintf("; %d optional sources skipped", n)
	}
	if s.TooShort > 0 {
		text += fmt.Sprintf("; %d store values shorter than %d bytes not looked for", s.TooShort, bundlescan.MinValueLen)
	}
	return text
}

// ledgerExempt reports whether a ledger value of event ev may ship in a
// bundle of m: issue renders the values the plan generates into a
// deployment's output, and verify-bundle cannot tell one deployment of the
// same scenario and tier from another.
func ledgerExempt(m *store.Manifest, ev *store.LedgerEvent, id string) bool {
	if ev.Scenario != m.Scenario || ev.Tier != m.TierID {
		return false
	}
	for _, s := range m.Secrets {
		if s.ID == id {
			return s.HandlingStrategy == store.Generate
		}
	}
	return false
}

// storeScan adds the store's values to ss, for the store scope.
type storeScan func(ctx context.Context, sn *store.Snapshot, m *store.Manifest, ss *scanSet) error

// scanSetFor builds the scan set of opts.Scope: the scenario's own
// infrastructure and stripped secrets (see [bundleSecrets]), and for the
// store scope everything [storeValues] finds.
func scanSetFor(ctx context.Context, sn *store.Snapshot, m *store.Manifest, opts verifyBundleOptions) (*scanSet, error) {
	own, unscannable, err := bundleSecrets(ctx, sn, m, opts)
	if err != nil {
		return nil, err
	}
	ss := newScanSet(opts.Scope)
	ss.unscannable = unscannable
	for _, s := range own {
		ss.add(s, "of the scenario", true)
	}
	if opts.Scope == scopeStore && opts.storeValues != nil {
		if err := opts.storeValues(ctx, sn, m, ss); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

// warnUnreadable names on stderr each source or deployment that could not
// be read, or with strict fails.
func warnUnreadable(e *env, ss *scanSet, strict bool) error {
	if strict {
		return ss.strictError()
	}
	for _, u := range ss.summary.Unreadable {
		fmt.Fprintf(e.stderr, "secretsctl: warning: %s could not be read, its values were not looked for: %s\n", u.What, u.Reason)
	}
	return nil
}
