package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/secretsctl/secretsctl/store"
)

// Event is a ledger event with the file it was read from.
type Event struct {
	*store.LedgerEvent
	// Path is the store-relative event file.
	Path string
}

// Value is one issued value of a deployment and what became of it. Its
// secret value, when decrypted, is in value and never printed.
type Value struct {
	SecretID    string           `json:"secret_id"`
	Generator   *store.Generator `json:"generator,omitempty"`
	Fingerprint string           `json:"fingerprint"`
	// Status is active, previous, superseded or revoked at the time of
	// derivation.
	Status string `json:"status"`
	// Since is when the value was issued; Event the event file that did.
	Since time.Time `json:"since"`
	Event string    `json:"event"`
	// Replaced is when a rotation replaced the value; Revoked when an event
	// revoked it (zero when not).
	Replaced time.Time `json:"replaced,omitzero"`
	Revoked  time.Time `json:"revoked,omitzero"`
	Reason   string    `json:"reason,omitempty"`

	value store.SecretValue
}

// Deployment is the state of one deployment derived from its events.
type Deployment struct {
	Scenario   string `json:"scenario"`
	Deployment string `json:"deployment"`
	Tier       string `json:"tier"`
	// PlanRevision is the plan revision of the latest event.
	PlanRevision string    `json:"plan_revision"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
	// Values lists every value ever issued, in order of issue.
	Values []*Value `json:"values"`
	// Events are the events, in order.
	Events []Event `json:"-"`
}

// Derive replays a deployment's events, in the order given (file name
// order), into its state at now. grace gives the rotation grace period of
// a secret id.
func Derive(events []Event, grace func(secretID string) time.Duration, now time.Time) (*Deployment, error) {
	if len(events) == 0 {
		return nil, fmt.Errorf("derive deployment state: no events")
	}
	first := events[0]
	d := &Deployment{Scenario: first.Scenario, Deployment: first.Deployment, Tier: first.Tier, Created: first.Time, Events: events}
	for _, ev := range events {
		if ev.Tier != d.Tier {
			return nil, &store.DocumentError{File: ev.Path, Field: "tier", Reason: fmt.Sprintf("%s, but the deployment was issued for %s", ev.Tier, d.Tier)}
		}
		d.Updated, d.PlanRevision = ev.Time, ev.PlanRevision
		if err := d.applyEvent(ev); err != nil {
			return nil, err
		}
	}
	for _, v := range d.Values {
		if v.Status == store.StatusPrevious && !now.Before(v.Replaced.Add(grace(v.SecretID))) {
			v.Status = store.StatusSuperseded
		}
	}
	return d, nil
}

// applyEvent records the entries of one event. A previous or revoked
// entry names a value by fingerprint, and that value must be one an
// earlier event issued: active before this event for previous (which also
// needs the event's own active entry for the secret), any status for
// revoked.
func (d *Deployment) applyEvent(ev Event) error {
	earlier := len(d.Values)
	// Only the few active values go in the map: a long-lived deployment has
	// hundreds of earlier values, and copying them all for every event made
	// deriving its state quadratic in map work.
	wasActive := map[*Value]bool{}
	for _, v := range d.Values {
		if v.Status == store.StatusActive {
			wasActive[v] = true
		}
	}
	for _, e := range ev.Secrets {
		if err := d.apply(ev, e, d.Values[:earlier], wasActive); err != nil {
			return err
		}
	}
	return nil
}

// apply records one entry of an event; earlier are the values issued
// before it.
func (d *Deployment) apply(ev Event, e store.LedgerEntry, earlier []*Value, wasActive map[*Value]bool) error {
	switch e.Status {
	case store.StatusActive:
		d.replace(e.SecretID, ev)
		d.Values = append(d.Values, &Value{SecretID: e.SecretID, Generator: e.Generator, Fingerprint: e.Fingerprint,
			Status: store.StatusActive, Since: ev.Time, Event: ev.Path, value: e.Value})
	case store.StatusPrevious:
		// The rotation's own record of what it replaced; the active entry of
		// the same event moves it.
		if v := find(earlier, e.SecretID, e.Fingerprint); v == nil || !wasActive[v] {
			return &store.DocumentError{File: ev.Path, Field: "secrets", Reason: fmt.Sprintf("%s: rotates a value the deployment did not hold", e.SecretID)}
		}
		if !slices.ContainsFunc(ev.Secrets, func(o store.LedgerEntry) bool { return o.SecretID == e.SecretID && o.Status == store.StatusActive }) {
			return &store.DocumentError{File: ev.Path, Field: "secrets", Reason: fmt.Sprintf("%s: a previous entry without the active value that replaces it", e.SecretID)}
		}
	case store.StatusRevoked:
		v := find(earlier, e.SecretID, e.Fingerprint)
		if v == nil {
			return &store.DocumentError{File: ev.Path, Field: "secrets", Reason: fmt.Sprintf("%s: revokes a value the deployment never had", e.SecretID)}
		}
		v.Status, v.Revoked, v.Reason = store.StatusRevoked, ev.Time, ev.Reason
	default:
		return &store.DocumentError{File: ev.Path, Field: "secrets", Reason: fmt.Sprintf("%s: unknown status %q", e.SecretID, e.Status)}
	}
	return nil
}

// replace retires a secret's values before a new one becomes active: a
// rotation makes the active value previous and supersedes older previous
// ones; any other event supersedes them all.
func (d *Deployment) replace(id string, ev Event) {
	for _, v := range d.Values {
		if v.SecretID != id {
			continue
		}
		switch {
		case v.Status == store.StatusActive && ev.Event == store.EventRotate:
			v.Status, v.Replaced = store.StatusPrevious, ev.Time
		case v.Status == store.StatusActive || v.Status == store.StatusPrevious:
			v.Status = store.StatusSuperseded
			if v.Replaced.IsZero() {
				v.Replaced = ev.Time
			}
		}
	}
}

// find returns the latest of values with the secret id and fingerprint.
func find(values []*Value, id, fingerprint string) *Value {
	for _, v := range slices.Backward(values) {
		if v.SecretID == id && v.Fingerprint == fingerprint {
			return v
		}
	}
	return nil
}

// Active returns the active value of every secret, by secret id.
func (d *Deployment) Active() map[string]*Value {
	out := map[string]*Value{}
	for _, v := range d.Values {
		if v.Status == store.StatusActive {
			out[v.SecretID] = v
		}
	}
	return out
}

// Revoked reports whether the deployment holds no active value and at least
// one revoked one.
func (d *Deployment) Revoked() bool {
	return len(d.Active()) == 0 && slices.ContainsFunc(d.Values, func(v *Value) bool { return v.Status == store.StatusRevoked })
}

// Count returns how many values have a status.
func (d *Deployment) Count(status string) int {
	n := 0
	for _, v := range d.Values {
		if v.Status == status {
			n++
		}
	}
	return n
}

// Summary is a deployment at a glance: what `secretsctl deployments` and
// GET /api/v1/deployments list. It holds no value and no fingerprint.
type Summary struct {
	Scenario   string    `json:"scenario"`
	Deployment string    `json:"deployment"`
	Tier       string    `json:"tier"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
	Events     int       `json:"events"`
	Active     int       `json:"active"`
	Previous   int       `json:"previous"`
	Revoked    int       `json:"revoked"`
}

// Summaries lists deps at a glance, in their order.
func Summaries(deps []*Deployment) []Summary {
	out := make([]Summary, 0, len(deps))
	for _, d := range deps {
		out = append(out, Summary{Scenario: d.Scenario, Deployment: d.Deployment, Tier: d.Tier, Created: d.Created,
			Updated: d.Updated, Events: len(d.Events), Active: d.Count(store.StatusActive),
			Previous: d.Count(store.StatusPrevious), Revoked: d.Count(store.StatusRevoked)})
	}
	return out
}
