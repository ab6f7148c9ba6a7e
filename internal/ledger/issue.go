package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/secretsctl/secretsctl/hooks"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// BundleCheck inspects a rendered output directory before the event that
// issued it is committed; an error stops the commit. Issue 7's bundle
// verification (verify-bundle, SPEC §9) plugs in here.
type BundleCheck func(ctx context.Context, sn *store.Snapshot, m *store.Manifest, dir string) error

// Writer records events in a store. Its zero fields take defaults.
type Writer struct {
	Store  *store.Store
	Author store.Author
	// Now is the clock of event times; time.Now when nil.
	Now func() time.Time
	// Rand is the randomness of values, fingerprint keys and event names;
	// crypto/rand when nil.
	Rand io.Reader
	// FingerprintKey is the hex key from SECRETSCTL_FINGERPRINT_KEY, if set.
	FingerprintKey string
	// AllowUnverified reads metadata without the private key (a job that
	// holds only the public recipients and the fingerprint key).
	AllowUnverified bool
	// Check, when set, runs on issue's output before the commit.
	Check BundleCheck
	// Attempts bounds how often a commit is recomputed after a concurrent
	// writer changed the same deployment (default 20).
	Attempts int
}

// Result is what an issue, rotate or revoke did.
type Result struct {
	Scenario   string `json:"scenario"`
	Deployment string `json:"deployment"`
	Tier       string `json:"tier"`
	// Committed is false when nothing new had to be recorded.
	Committed bool   `json:"committed"`
	Commit    string `json:"commit,omitempty"`
	// Event is the store-relative event file the commit added.
	Event string `json:"event,omitempty"`
	// Changed lists the secret ids the event recorded; Kept the ones whose
	// values were already issued.
	Changed []string `json:"changed"`
	Kept    []string `json:"kept"`
	// Files are the rendered files, relative to the output directory.
	Files []string `json:"files,omitempty"`
}

func (w *Writer) now() time.Time {
	if w.Now == nil {
		return time.Now().UTC()
	}
	return w.Now().UTC()
}

func (w *Writer) rand() io.Reader {
	if w.Rand == nil {
		return rand.Reader
	}
	return w.Rand
}

// snapshot reads HEAD for a write.
func (w *Writer) snapshot() (*store.Snapshot, error) {
	return w.Store.Snapshot(store.ReadOptions{AllowUnverified: w.AllowUnverified})
}

// retry runs attempt until it does not fail with a concurrent update.
func (w *Writer) retry(attempt func() (*Result, error)) (*Result, error) {
	n := w.Attempts
	if n <= 0 {
		n = 20
	}
	for i := 1; ; i++ {
		res, err := attempt()
		if !errors.Is(err, store.ErrConcurrentUpdate) || i >= n {
			return res, err
		}
	}
}

// IssueRequest names the deployment to issue and where to render it.
type IssueRequest struct {
	Scenario, Tier, Deployment string
	// Out is the output directory.
	Out string
	// Stage, when set, is where the bundle is rendered and checked instead
	// of Out, and Out only names the bundle in messages: the caller moves
	// the files (Result.Files) from Stage into Out once Issue has returned,
	// that is, once the event that records their values is committed.
	Stage string
}

// dir is the directory the bundle is rendered into.
func (r IssueRequest) dir() string {
	if r.Stage != "" {
		return r.Stage
	}
	return r.Out
}

// Issue generates every bundle-time secret of a new deployment, renders its
// targets into Out (or Stage) and commits one issue event. For a deployment issued
// before it renders the values it holds and commits only values the plan
// has gained since, if any.
func (w *Writer) Issue(ctx context.Context, req IssueRequest) (*Result, error) {
	if !store.ValidLedgerName(req.Deployment) {
		return nil, badID("deployment", req.Deployment)
	}
	return w.retry(func() (*Result, error) { return w.issueOnce(ctx, req) })
}

func (w *Writer) issueOnce(ctx context.Context, req IssueRequest) (*Result, error) {
	sn, err := w.snapshot()
	if err != nil {
		return nil, err
	}
	m, err := plan.ForSnapshot(sn, req.Scenario, req.Tier)
	if err != nil {
		return nil, err
	}
	if err := checkElsewhere(sn, m.Scenario, req.Deployment); err != nil {
		return nil, err
	}
	rd := Reader{Snapshot: sn, Now: w.now(), FingerprintKey: w.FingerprintKey}
	events, err := rd.Events(m.Scenario, req.Deployment)
	if err != nil {
		return nil, err
	}
	existing := map[string]string{}
	if len(events) > 0 {
		d, err := Derive(events, rd.Grace, rd.Now)
		if err != nil {
			return nil, err
		}
		if d.Tier != m.TierID {
			return nil, &ConflictError{Msg: fmt.Sprintf("deployment %s of %s was issued for %s, not %s", req.Deployment, m.Scenario, d.Tier, m.TierID)}
		}
		if d.Revoked() {
			return nil, &ConflictError{Msg: fmt.Sprintf("deployment %s of %s is revoked: rotate it or issue a new deployment id", req.Deployment, m.Scenario)}
		}
		if existing, err = activeValues(d); err != nil {
			return nil, err
		}
	}
	b, err := hooks.CreateBundle(m, req.Deployment, existing, hooks.Options{Rand: w.rand()})
	if err != nil {
		return nil, err
	}
	res := &Result{Scenario: m.Scenario, Deployment: req.Deployment, Tier: m.TierID, Files: bundleFiles(b)}
	if err := sn.CheckLedgerRules(m.Scenario, req.Deployment); err != nil {
		return nil, err // before a value is written anywhere
	}
	if err := b.WriteDir(req.dir()); err != nil {
		return nil, err
	}
	if w.Check != nil {
		if err := w.Check(ctx, sn, m, req.dir()); err != nil {
			// The files hold values that must not ship and values no
			// ledger records: take them back out.
			if rerr := removeFiles(req.dir(), b.Files); rerr != nil {
				return nil, fmt.Errorf("check the bundle in %s: %w (and removing its files failed: %v)", req.Out, err, rerr)
			}
			return nil, fmt.Errorf("check the bundle in %s: %w", req.Out, err)
		}
	}
	var entries []store.LedgerEntry
	var key fingerprintKey
	for _, id := range slices.Sorted(maps.Keys(b.Values)) {
		v := b.Values[id]
		if v.Reused {
			res.Kept = append(res.Kept, id)
			continue
		}
		if key.key == nil {
			if key, err = resolveKey(sn, w.FingerprintKey, w.rand()); err != nil {
				return nil, err
			}
		}
		entries = append(entries, store.LedgerEntry{SecretID: id, Generator: generatorOf(m, id), Fingerprint: Fingerprint(key.key, v.Reveal()),
			Status: store.StatusActive, Value: store.SecretValue(v.Reveal())})
		res.Changed = append(res.Changed, id)
	}
	if len(entries) == 0 {
		return res, nil
	}
	ev := w.event(store.EventIssue, m.Scenario, req.Deployment, m.TierID, sn.Revision, entries)
	res, err = w.commit(ctx, sn, res, ev, len(events), key)
	if err != nil {
		// No ledger records these values (say .sops.yaml would have left
		// them clear): take the files back out.
		if rerr := removeFiles(req.dir(), b.Files); rerr != nil {
			return nil, fmt.Errorf("%w (and removing the bundle's files from %s failed: %v)", err, req.dir(), rerr)
		}
	}
	return res, err
}

// ConflictError is a request the deployment's state does not allow.
type ConflictError struct{ Msg string }

func (e *ConflictError) Error() string { return e.Msg }

// checkElsewhere refuses a deployment id already filed under another
// scenario: ids are unique across the ledger. It looks up the id under each
// scenario of the store, so its cost does not grow with the ledger.
func checkElsewhere(sn *store.Snapshot, scenario, deployment string) error {
	for _, other := range sn.ScenarioNames() {
		if other == scenario {
			continue
		}
		files, err := sn.DeploymentFiles(other, deployment)
		if err != nil {
			return err
		}
		if len(files) > 0 {
			return &ConflictError{Msg: fmt.Sprintf("deployment id %s is already used by scenario %s", deployment, other)}
		}
	}
	return nil
}

// activeValues returns the decrypted active values by secret id.
func activeValues(d *Deployment) (map[string]string, error) {
	out := map[string]string{}
	for id, v := range d.Active() {
		if v.value == "" {
			return nil, fmt.Errorf("deployment %s: the value of %s is encrypted and no private key can decrypt it: %w", d.Deployment, id, store.ErrNoKey)
		}
		out[id] = string(v.value)
	}
	return out, nil
}

func bundleFiles(b *hooks.Bundle) []string {
	var out []string
	for _, f := range b.Files {
		out = append(out, f.Path)
	}
	return out
}

func generatorOf(m *store.Manifest, id string) *store.Generator {
	for _, s := range m.Secrets {
		if s.ID == id {
			return s.GeneratorTemplate
		}
	}
	return nil
}

// event builds an event document.
func (w *Writer) event(action, scenario, deployment, tier, rev string, entries []store.LedgerEntry) *store.LedgerEvent {
	return &store.LedgerEvent{Version: store.DocumentVersion, Kind: store.LedgerEventKind, Event: action, Scenario: scenario,
		Deployment: deployment, Tier: tier, PlanRevision: rev, Time: w.now().Truncate(time.Millisecond), Secrets: entries}
}

// commit writes an event as one commit on the ledger branch. seq is how many events the
// deployment had; the file name starts with the next number so that names
// sort in event order.
func (w *Writer) commit(ctx context.Context, sn *store.Snapshot, res *Result, ev *store.LedgerEvent, seq int, key fingerprintKey) (*Result, error) {
	suffix := make([]byte, 4)
	if _, err := io.ReadFull(w.rand(), suffix); err != nil {
		return nil, fmt.Errorf("name ledger event: %w", err)
	}
	dir := store.LedgerPath(ev.Scenario, ev.Deployment)
	file := fmt.Sprintf("%s/%06d-%s-%s.yaml", dir, seq+1, ev.Event, hex.EncodeToString(suffix))
	docs := map[string]any{file: ev}
	if key.doc != nil {
		docs[store.FingerprintKeyFile] = key.doc
	}
	subject := fmt.Sprintf("%s: %s/%s on %s", ev.Event, ev.Scenario, ev.Deployment, ev.Tier)
	ch := store.Change{
		Documents: docs,
		Message: store.Message{Subject: subject, Action: ev.Event, Scenarios: []string{ev.Scenario}, Tiers: []string{ev.Tier},
			Deployment: ev.Deployment, Event: file},
		Author:    w.Author,
		Unchanged: []string{dir, store.FingerprintKeyFile},
	}
	c, ok, err := sn.CommitLedger(ctx, ch)
	if err != nil {
		return nil, err
	}
	res.Committed, res.Commit, res.Event = ok, c.Hash, file
	return res, nil
}

// removeFiles deletes a bundle's rendered files from dir (never anything
// outside it: the paths go through an os.Root).
func removeFiles(dir string, files []hooks.File) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	var errs []error
	for _, f := range files {
		if err := root.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
