package ledger

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/secretsctl/secretsctl/store"
)

// TrailEntry is one ledger event as git history records it. It never holds
// a value.
type TrailEntry struct {
	Commit     string    `json:"commit"`
	Author     string    `json:"author"`
	Email      string    `json:"email"`
	Time       time.Time `json:"time"`
	Action     string    `json:"action"`
	Scenario   string    `json:"scenario"`
	Deployment string    `json:"deployment"`
	Tier       string    `json:"tier"`
	Event      string    `json:"event"`
	Reason     string    `json:"reason,omitempty"`
	// Forged is set when the event was verified and does not verify: its
	// entries must not be trusted.
	Forged bool `json:"forged,omitempty"`
	// Secrets are the secret ids the event concerns, with what it did.
	Secrets []TrailSecret `json:"secrets"`
}

// TrailSecret is what an event did to one value.
type TrailSecret struct {
	SecretID    string `json:"secret_id"`
	Fingerprint string `json:"fingerprint"`
	Status      string `json:"status"`
}

// Holding is one value of a secret a deployment received.
type Holding struct {
	SecretID    string    `json:"secret_id"`
	Scenario    string    `json:"scenario"`
	Deployment  string    `json:"deployment"`
	Tier        string    `json:"tier"`
	Fingerprint string    `json:"fingerprint"`
	Status      string    `json:"status"`
	Since       time.Time `json:"since"`
	Commit      string    `json:"commit"`
	Revoked     time.Time `json:"revoked,omitzero"`
	Reason      string    `json:"reason,omitempty"`
	// Forged is set when the event that issued the value does not verify.
	Forged bool `json:"forged,omitempty"`
}

// Audit is the answer to an audit question: who holds which values (never
// the values) and the trail of events that made it so.
type Audit struct {
	Revision string `json:"revision"`
	// Integrity is unverified when the audit read the clear part of ledger
	// files only (no key); verified when the private key verified every
	// event reported on; failed when some event does not verify (see
	// Problems).
	Integrity string       `json:"integrity"`
	Secret    string       `json:"secret,omitempty"`
	Holdings  []Holding    `json:"holdings"`
	Trail     []TrailEntry `json:"trail"`
	// Problems are the events that do not verify, each an integrity error
	// naming the file (and the commit that added it).
	Problems []string `json:"problems,omitempty"`

	forged map[string]bool
	errs   []error
}

// Err is nil when no event of the audit failed to verify, else the
// integrity errors of those that did.
func (a *Audit) Err() error { return errors.Join(a.errs...) }

// verify decrypts the events of deps and checks their fingerprints,
// recording the ones that do not verify.
func (a *Audit) verify(r Reader, deps []*Deployment) error {
	a.Integrity, a.forged = store.IntegrityVerified, map[string]bool{}
	for _, d := range deps {
		problems, err := r.verifyFiles(d.Events)
		if err != nil {
			return err
		}
		for _, ev := range d.Events {
			if err := problems[ev.Path]; err != nil {
				a.Integrity, a.forged[ev.Path] = IntegrityFailed, true
				a.Problems, a.errs = append(a.Problems, err.Error()), append(a.errs, err)
			}
		}
	}
	return nil
}

// IntegrityFailed is an audit's integrity when an event does not verify.
const IntegrityFailed = "failed"

// Filter selects what an audit covers; both empty means the whole ledger.
type Filter struct {
	Secret     string
	Scenario   string
	Deployment string
}

// Audit answers an audit question from the ledger at the snapshot and its
// git history. With a secret: every deployment that received it, each
// value's fingerprint, status and commit, and the events that touched it.
// With a deployment: what it holds and since when, and its events.
func (r Reader) Audit(f Filter) (*Audit, error) {
	// A verifying audit marks forged events instead of failing on them.
	verify := r.Verify
	r.Mode, r.Verify = Metadata, false
	// The trail's commits come from a walk of history, which runs while
	// the events are read (it uses a git storage of its own).
	var (
		history    map[string]store.LedgerCommit
		historyErr error
		walked     = make(chan struct{})
	)
	go func() {
		defer close(walked)
		history, historyErr = r.Snapshot.LedgerHistory()
	}()
	// Every return waits for the walk, which then ends with nothing
	// running behind the caller's back.
	defer func() { <-walked }()
	a := &Audit{Revision: r.Snapshot.Revision, Integrity: store.IntegrityUnverified, Secret: f.Secret, Holdings: []Holding{}, Trail: []TrailEntry{}}
	var deps []*Deployment
	if f.Deployment != "" {
		scenario, err := r.FindScenario(f.Deployment, f.Scenario)
		if err != nil {
			return nil, err
		}
		d, err := r.Deployment(scenario, f.Deployment)
		if err != nil {
			return nil, err
		}
		deps = []*Deployment{d}
	} else {
		var err error
		if deps, err = r.All(f.Scenario); err != nil {
			return nil, err
		}
	}
	<-walked
	if historyErr != nil {
		return nil, historyErr
	}
	if verify {
		if err := a.verify(r, deps); err != nil {
			return nil, err
		}
	}
	for _, d := range deps {
		a.add(d, f.Secret, history)
	}
	slices.SortFunc(a.Trail, func(x, y TrailEntry) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return strings.Compare(x.Event, y.Event)
	})
	return a, nil
}

// add records a deployment's holdings and events that concern secret (all
// when empty).
func (a *Audit) add(d *Deployment, secret string, history map[string]store.LedgerCommit) {
	for _, v := range d.Values {
		if secret == "" || v.SecretID == secret {
			a.Holdings = append(a.Holdings, Holding{SecretID: v.SecretID, Scenario: d.Scenario, Deployment: d.Deployment, Tier: d.Tier,
				Fingerprint: v.Fingerprint, Status: v.Status, Since: v.Since, Commit: history[v.Event].Hash,
				Revoked: v.Revoked, Reason: v.Reason, Forged: a.forged[v.Event]})
		}
	}
	for _, ev := range d.Events {
		t := TrailEntry{Action: ev.Event, Scenario: ev.Scenario, Deployment: ev.Deployment, Tier: ev.Tier, Event: ev.Path,
			Time: ev.Time, Reason: ev.Reason, Forged: a.forged[ev.Path]}
		for _, e := range ev.Secrets {
			if secret == "" || e.SecretID == secret {
				t.Secrets = append(t.Secrets, TrailSecret{SecretID: e.SecretID, Fingerprint: e.Fingerprint, Status: e.Status})
			}
		}
		if len(t.Secrets) == 0 {
			continue
		}
		if c, ok := history[ev.Path]; ok {
			t.Commit, t.Author, t.Email, t.Time = c.Hash, c.Author, c.Email, c.Time
		}
		a.Trail = append(a.Trail, t)
	}
}
