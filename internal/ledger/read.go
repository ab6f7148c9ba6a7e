package ledger

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secretsctl/secretsctl/store"
)

// ReadMode says how events are read.
type ReadMode int

const (
	// Verified decrypts and verifies every event (values included); it needs
	// the private key unless the snapshot allows unverified reads.
	Verified ReadMode = iota
	// Metadata reads the clear part of events only, unverified: no key, no
	// values, fast. Audits and listings use it.
	Metadata
)

// Reader derives deployment state from a snapshot.
type Reader struct {
	Snapshot *store.Snapshot
	Mode     ReadMode
	Now      time.Time
	// FingerprintKey is the hex key from SECRETSCTL_FINGERPRINT_KEY, if
	// set; it must agree with the store's.
	FingerprintKey string
	// Verify makes a Metadata reader also decrypt and verify the events it
	// reads (see [CanVerify]); a Verified reader always does.
	Verify bool
}

// FindScenario returns the scenario under which a deployment id is filed.
// An id filed under several scenarios needs scenario to choose.
func (r Reader) FindScenario(deployment, scenario string) (string, error) {
	if !store.ValidLedgerName(deployment) {
		return "", badID("deployment", deployment)
	}
	if scenario != "" {
		return scenario, nil
	}
	files, err := r.Snapshot.LedgerFiles()
	if err != nil {
		return "", err
	}
	var found []string
	for _, f := range files {
		if f.Deployment == deployment && (len(found) == 0 || found[len(found)-1] != f.Scenario) {
			found = append(found, f.Scenario)
		}
	}
	switch len(found) {
	case 0:
		return "", &store.NotFoundError{Kind: "deployment", Name: deployment, Hint: "issue it first with `secretsctl issue`"}
	case 1:
		return found[0], nil
	}
	return "", &AmbiguousError{Deployment: deployment, Scenarios: found}
}

// AmbiguousError is a deployment id filed under several scenarios.
type AmbiguousError struct {
	Deployment string
	Scenarios  []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("deployment %q exists in several scenarios (%s): pass --scenario", e.Deployment, strings.Join(e.Scenarios, ", "))
}

// badID is a usage error about an id that could escape its folder.
func badID(kind, id string) error {
	return &InvalidIDError{Kind: kind, ID: id}
}

// InvalidIDError is a scenario or deployment id that cannot name a ledger
// folder (it could escape it).
type InvalidIDError struct{ Kind, ID string }

func (e *InvalidIDError) Error() string {
	return fmt.Sprintf("invalid %s id %q: want lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, without '..' (at most 128 characters)", e.Kind, e.ID)
}

// Events reads a deployment's events in order; none when it has none.
func (r Reader) Events(scenario, deployment string) ([]Event, error) {
	if !store.ValidLedgerName(deployment) {
		return nil, badID("deployment", deployment)
	}
	if !store.ValidLedgerName(scenario) {
		return nil, badID("scenario", scenario)
	}
	files, err := r.Snapshot.DeploymentFiles(scenario, deployment)
	if err != nil {
		return nil, err
	}
	return r.read(files)
}

func (r Reader) read(files []store.LedgerFile) ([]Event, error) {
	out, err := r.readAll(files)
	if err != nil || r.Mode != Metadata || !r.Verify {
		return out, err
	}
	problems, err := r.verifyFiles(out)
	if err != nil {
		return nil, err
	}
	for _, ev := range out {
		if err := problems[ev.Path]; err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readAll reads events in the reader's mode; a Verified read checks each
// event's fingerprints.
func (r Reader) readAll(files []store.LedgerFile) ([]Event, error) {
	if r.Mode == Metadata {
		evs, err := r.Snapshot.LedgerEventsMetadata(files)
		if err != nil {
			return nil, err
		}
		out := make([]Event, len(files))
		for i, ev := range evs {
			out[i] = Event{LedgerEvent: ev, Path: files[i].Path}
		}
		return out, nil
	}
	v := &verifier{r: r}
	out := make([]Event, 0, len(files))
	for _, f := range files {
		ev, err := r.Snapshot.LedgerEvent(f)
		if err != nil {
			return nil, err
		}
		e := Event{LedgerEvent: ev, Path: f.Path}
		if err := v.check(e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Deployment derives one deployment's state; a [*store.NotFoundError] when
// it has no events.
func (r Reader) Deployment(scenario, deployment string) (*Deployment, error) {
	events, err := r.Events(scenario, deployment)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, &store.NotFoundError{Kind: "deployment", Name: scenario + "/" + deployment}
	}
	return Derive(events, r.Grace, r.Now)
}

// All derives every deployment of the ledger (of one scenario when
// scenario is set), sorted by scenario and deployment.
func (r Reader) All(scenario string) ([]*Deployment, error) {
	files, err := r.Snapshot.LedgerFiles()
	if err != nil {
		return nil, err
	}
	if scenario != "" {
		files = slices.DeleteFunc(files, func(f store.LedgerFile) bool { return f.Scenario != scenario })
	}
	// One read of every file, so that it can use every core.
	events, err := r.read(files)
	if err != nil {
		return nil, err
	}
	var out []*Deployment
	for i := 0; i < len(files); {
		j := i
		for j < len(files) && files[j].Scenario == files[i].Scenario && files[j].Deployment == files[i].Deployment {
			j++
		}
		d, err := Derive(events[i:j], r.Grace, r.Now)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
		i = j
	}
	return out, nil
}

// Secret returns the metadata of a secret id ("owner/KEY") at the
// snapshot: nil when its resource or scenario no longer declares it.
func (r Reader) Secret(id string) *store.Secret {
	owner, key, ok := strings.Cut(id, "/")
	if !ok {
		return nil
	}
	var secrets []store.Secret
	if res, err := r.Snapshot.Resource(owner); err == nil {
		secrets = res.Secrets
	} else if sc, err := r.Snapshot.Scenario(owner); err == nil {
		secrets = sc.Secrets
	}
	for i := range secrets {
		if secrets[i].Key == key {
			return &secrets[i]
		}
	}
	return nil
}

// Grace is a secret's rotation grace period from its metadata.
func (r Reader) Grace(id string) time.Duration {
	if s := r.Secret(id); s != nil && s.RotationGrace != "" {
		if d, err := ParseAge(s.RotationGrace); err == nil {
			return d
		}
	}
	return DefaultGrace
}
