package ledger

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/secretsctl/secretsctl/hooks"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// Target names a deployment and, optionally, one secret of it.
type Target struct {
	Scenario   string // optional when the deployment id is unique
	Deployment string
	Secret     string // every secret when empty
}

// load reads HEAD and the deployment's state, verified.
func (w *Writer) load(t Target) (*store.Snapshot, *Deployment, error) {
	sn, err := w.snapshot()
	if err != nil {
		return nil, nil, err
	}
	rd := Reader{Snapshot: sn, Now: w.now(), FingerprintKey: w.FingerprintKey}
	scenario, err := rd.FindScenario(t.Deployment, t.Scenario)
	if err != nil {
		return nil, nil, err
	}
	d, err := rd.Deployment(scenario, t.Deployment)
	if err != nil {
		return nil, nil, err
	}
	if t.Secret != "" && !slices.ContainsFunc(d.Values, func(v *Value) bool { return v.SecretID == t.Secret }) {
		return nil, nil, &store.NotFoundError{Kind: "secret", Name: t.Secret, Known: secretIDs(d),
			Hint: "deployment " + t.Deployment + " holds no value of it"}
	}
	return sn, d, nil
}

func secretIDs(d *Deployment) []string {
	var ids []string
	for _, v := range d.Values {
		if !slices.Contains(ids, v.SecretID) {
			ids = append(ids, v.SecretID)
		}
	}
	slices.Sort(ids)
	return ids
}

// Rotate gives a deployment's secret (or every secret) a new value; the old
// value becomes previous for its grace period. Values derived from a
// rotated one are derived again.
func (w *Writer) Rotate(ctx context.Context, t Target) (*Result, error) {
	return w.retry(func() (*Result, error) { return w.rotateOnce(ctx, t) })
}

func (w *Writer) rotateOnce(ctx context.Context, t Target) (*Result, error) {
	sn, d, err := w.load(t)
	if err != nil {
		return nil, err
	}
	m, err := plan.ForSnapshot(sn, d.Scenario, d.Tier)
	if err != nil {
		return nil, err
	}
	active := d.Active()
	current, err := activeValues(d)
	if err != nil {
		return nil, err
	}
	keep := map[string]string{}
	for id, v := range current {
		if id != t.Secret && t.Secret != "" && !derived(m, id) {
			keep[id] = v
		}
	}
	b, err := hooks.CreateBundle(m, d.Deployment, keep, hooks.Options{Rand: w.rand()})
	if err != nil {
		return nil, err
	}
	key, err := resolveKey(sn, w.FingerprintKey, w.rand())
	if err != nil {
		return nil, err
	}
	res := &Result{Scenario: d.Scenario, Deployment: d.Deployment, Tier: d.Tier}
	var entries []store.LedgerEntry
	for _, id := range slices.Sorted(maps.Keys(b.Values)) {
		v := b.Values[id]
		fp := Fingerprint(key.key, v.Reveal())
		old := active[id]
		if v.Reused || old != nil && old.Fingerprint == fp {
			res.Kept = append(res.Kept, id)
			continue
		}
		entries = append(entries, store.LedgerEntry{SecretID: id, Generator: generatorOf(m, id), Fingerprint: fp,
			Status: store.StatusActive, Value: store.SecretValue(v.Reveal())})
		if old != nil {
			entries = append(entries, store.LedgerEntry{SecretID: id, Fingerprint: old.Fingerprint, Status: store.StatusPrevious})
		}
		res.Changed = append(res.Changed, id)
	}
	if len(entries) == 0 {
		return res, nil
	}
	ev := w.event(store.EventRotate, d.Scenario, d.Deployment, d.Tier, sn.Revision, entries)
	return w.commit(ctx, sn, res, ev, len(d.Events), key)
}

// derived reports whether the plan derives a secret from others.
func derived(m *store.Manifest, id string) bool {
	g := generatorOf(m, id)
	return g != nil && g.Type == "derived"
}

// Revoke marks a deployment's values (active and previous) of one secret,
// or of every secret, revoked.
func (w *Writer) Revoke(ctx context.Context, t Target, reason string) (*Result, error) {
	if reason == "" {
		return nil, fmt.Errorf("revoke needs a reason")
	}
	return w.retry(func() (*Result, error) { return w.revokeOnce(ctx, t, reason) })
}

func (w *Writer) revokeOnce(ctx context.Context, t Target, reason string) (*Result, error) {
	sn, d, err := w.load(t)
	if err != nil {
		return nil, err
	}
	res := &Result{Scenario: d.Scenario, Deployment: d.Deployment, Tier: d.Tier}
	var entries []store.LedgerEntry
	for _, v := range d.Values {
		if t.Secret != "" && v.SecretID != t.Secret {
			continue
		}
		if v.Status == store.StatusActive || v.Status == store.StatusPrevious {
			entries = append(entries, store.LedgerEntry{SecretID: v.SecretID, Fingerprint: v.Fingerprint, Status: store.StatusRevoked})
			if !slices.Contains(res.Changed, v.SecretID) {
				res.Changed = append(res.Changed, v.SecretID)
			}
		}
	}
	if len(entries) == 0 {
		return res, nil
	}
	ev := w.event(store.EventRevoke, d.Scenario, d.Deployment, d.Tier, sn.Revision, entries)
	ev.Reason = reason
	return w.commit(ctx, sn, res, ev, len(d.Events), fingerprintKey{})
}

// Render rebuilds a deployment's bundle from the ledger into out: the
// active values, rendered with the plan of the latest event's revision. It
// generates nothing and commits nothing.
func (w *Writer) Render(ctx context.Context, t Target, out string) (*Result, error) {
	sn, d, err := w.load(t)
	if err != nil {
		return nil, err
	}
	if d.Revoked() {
		return nil, &ConflictError{Msg: fmt.Sprintf("deployment %s of %s is revoked: nothing to render", d.Deployment, d.Scenario)}
	}
	at, err := w.Store.Snapshot(store.ReadOptions{Rev: d.PlanRevision, AllowUnverified: w.AllowUnverified})
	if err != nil {
		return nil, fmt.Errorf("read the plan revision %s of deployment %s: %w", d.PlanRevision, d.Deployment, err)
	}
	m, err := plan.ForSnapshot(at, d.Scenario, d.Tier)
	if err != nil {
		return nil, err
	}
	if err := refuseShipped(sn, d); err != nil {
		return nil, err
	}
	values, err := activeValues(d)
	if err != nil {
		return nil, err
	}
	b, err := hooks.CreateBundle(m, d.Deployment, values, hooks.Options{Rand: failingReader{}})
	if err != nil {
		return nil, err
	}
	for _, v := range b.Values {
		if !v.Reused {
			return nil, &ConflictError{Msg: fmt.Sprintf("deployment %s holds no value of %s: run `secretsctl issue` to issue it", d.Deployment, v.ID)}
		}
	}
	if err := b.WriteDir(out); err != nil {
		return nil, err
	}
	return &Result{Scenario: d.Scenario, Deployment: d.Deployment, Tier: d.Tier, Kept: slices.Sorted(maps.Keys(values)), Files: bundleFiles(b)}, nil
}

// refuseShipped refuses to render an infrastructure secret on a tier that
// ships to end users, judged by today's metadata (the classification may
// have changed since the value was issued).
func refuseShipped(sn *store.Snapshot, d *Deployment) error {
	tier, err := sn.Tiers().Resolve(d.Tier)
	if err != nil || !tier.ShipsToEndUsers {
		return err
	}
	rd := Reader{Snapshot: sn}
	for id := range d.Active() {
		if s := rd.Secret(id); s != nil && s.Classification == store.Infrastructure {
			return fmt.Errorf("render %s: %s: %w: an infrastructure secret is never rendered for tier %s, which ships to end users", d.Deployment, id, hooks.ErrRefused, d.Tier)
		}
	}
	return nil
}

// failingReader makes any attempt to generate during render fail.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) {
	return 0, fmt.Errorf("render generates nothing: the ledger lacks a value")
}
