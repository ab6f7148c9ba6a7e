package ledger

import (
	"crypto/hmac"
	"errors"
	"fmt"

	"github.com/secretsctl/secretsctl/store"
)

// Appending an event needs only the public recipients, so anyone who can
// push can write one. What makes an event trustworthy is its fingerprints:
// HMAC-SHA256 of each value under the fingerprint key, which a pusher
// without keys does not hold. Every read that decrypts events checks them
// (verifyEvent), and one that cannot decrypt reports the ledger
// unverified.

// verifier checks decrypted events against the fingerprint key, which it
// reads once, when the first event that carries values needs it.
type verifier struct {
	r   Reader
	key []byte
}

// check verifies one event read in Verified mode. An event read without
// the private key carries no value and cannot be checked: the snapshot
// already reports it unverified.
func (v *verifier) check(ev Event) error {
	if v.r.Snapshot.IntegrityOf(ev.Path) != store.IntegrityVerified {
		return nil
	}
	if v.key == nil {
		k, err := v.r.verifyKey()
		if err != nil {
			return err
		}
		v.key = k
	}
	if reason := entriesProblem(ev, v.key); reason != "" {
		return v.r.forged(ev.Path, reason)
	}
	return nil
}

// entriesProblem says why an event's entries do not verify under key, or
// "" when they do. Only active entries carry a value, every one of them
// does, and its recorded fingerprint must be the HMAC of that value
// (compared in constant time).
func entriesProblem(ev Event, key []byte) string {
	for _, e := range ev.Secrets {
		switch {
		case e.Status == store.StatusActive && e.Value == "":
			return e.SecretID + ": an active entry without a value"
		case e.Status != store.StatusActive && e.Value != "":
			return e.SecretID + ": a " + e.Status + " entry carries a value (only active entries do)"
		case e.Value != "" && !hmac.Equal([]byte(Fingerprint(key, string(e.Value))), []byte(e.Fingerprint)):
			return e.SecretID + ": the value does not match its fingerprint (written without the fingerprint key)"
		}
	}
	return ""
}

// verifyKey is the fingerprint key the ledger is verified with: the
// store's, which must agree with SECRETSCTL_FINGERPRINT_KEY when that is
// set. A ledger whose events hold values but whose key document is gone
// cannot be verified, and that is an integrity error, not a reason to
// trust it.
func (r Reader) verifyKey() ([]byte, error) {
	stored, err := r.Snapshot.FingerprintKey()
	var nf *store.NotFoundError
	switch {
	case errors.As(err, &nf):
		return nil, &store.IntegrityError{File: store.FingerprintKeyFile,
			Reason: "the ledger holds issued values but the store has no fingerprint key to verify them with (was it removed?)"}
	case err != nil:
		return nil, fmt.Errorf("read the fingerprint key to verify the ledger: %w", err)
	}
	k, err := ParseKey(stored)
	if err != nil {
		return nil, &store.DocumentError{File: store.FingerprintKeyFile, Field: "value", Reason: err.Error()}
	}
	if r.FingerprintKey != "" {
		if env, err := ParseKey(r.FingerprintKey); err != nil || !hmac.Equal(env, k) {
			return nil, fmt.Errorf("%s differs from the store's fingerprint key (%s)", FingerprintKeyEnv, store.FingerprintKeyFile)
		}
	}
	return k, nil
}

// forged is the integrity error of an event that does not verify, naming
// the commit that added it when history tells.
func (r Reader) forged(path, reason string) error {
	e := &ForgedEventError{IntegrityError: store.IntegrityError{File: path, Reason: "ledger event does not verify: " + reason}}
	if r.Snapshot.Revision == store.WorktreeRevision {
		return e
	}
	if history, err := r.Snapshot.LedgerHistory(); err == nil {
		if c, ok := history[path]; ok {
			e.Commit = c.Hash
			e.Reason += " (added by commit " + c.Hash + ")"
		} else {
			e.Reason += " (no commit's " + store.TrailerEvent + " trailer names it: secretsctl did not write it)"
		}
	}
	return e
}

// ForgedEventError is a ledger event whose entries do not verify under the
// fingerprint key: someone without the key wrote or changed it. It is an
// integrity error (exit 5); nothing may be rendered from it.
type ForgedEventError struct {
	store.IntegrityError
	// Commit is the commit that added the event, when known.
	Commit string
}

// Unwrap returns the integrity error, so callers that look for one find it.
func (e *ForgedEventError) Unwrap() error { return &e.IntegrityError }

// CanVerify reports whether the ledger of the snapshot can be verified
// here: the private key opens the store's fingerprint key. Readers of
// metadata (audit, deployments, rotation-due) then verify the events they
// report on.
func CanVerify(sn *store.Snapshot) bool {
	_, err := sn.FingerprintKey()
	return err == nil
}

// verifyFiles reads events in Verified mode and checks them, for a reader
// that listed them from metadata. It returns the problem of each event that
// does not verify, by event file.
func (r Reader) verifyFiles(events []Event) (map[string]error, error) {
	vr := Reader{Snapshot: r.Snapshot, Mode: Verified, Now: r.Now, FingerprintKey: r.FingerprintKey}
	v := &verifier{r: vr}
	problems := map[string]error{}
	for _, ev := range events {
		full, err := r.Snapshot.LedgerEvent(store.LedgerFile{Scenario: ev.Scenario, Deployment: ev.Deployment, Path: ev.Path})
		if err != nil {
			var ie *store.IntegrityError
			if !errors.As(err, &ie) {
				return nil, err
			}
			problems[ev.Path] = err
			continue
		}
		if err := v.check(Event{LedgerEvent: full, Path: ev.Path}); err != nil {
			var fe *ForgedEventError
			if !errors.As(err, &fe) || fe.File != ev.Path {
				return nil, err
			}
			problems[ev.Path] = err
		}
	}
	return problems, nil
}
