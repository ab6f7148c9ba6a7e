package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

// storeValues adds to a scan set every value of every infrastructure secret
// the store can resolve — of every resource and scenario, from each
// configured source in turn (so a value that differs between two sources is
// looked for twice) — and, with ledger, every value the ledger issued, from
// each deployment the key can read. What cannot be read is noted in the
// set, never fatal: --strict decides.
//
// issue's self-check passes ledger false: reading every event would make
// issuance grow with history (SPEC §12: issuing at 10,000 ledger events
// within 1.5x of issuing at 10), and issue renders only values it has just
// generated.
func storeValues(e *env, ledger bool) storeScan {
	return func(ctx context.Context, sn *store.Snapshot, m *store.Manifest, ss *scanSet) error {
		if err := sourceValues(ctx, sn, e, ss); err != nil {
			return err
		}
		if !ledger {
			return nil
		}
		return ledgerValues(ctx, sn, m, ss)
	}
}

// infraIDs lists every infrastructure secret the store declares, by id.
func infraIDs(sn *store.Snapshot, ss *scanSet) []string {
	var ids []string
	add := func(owner string, secrets []store.Secret) {
		for _, s := range secrets {
			if s.Classification == store.Infrastructure {
				ids = append(ids, owner+"/"+s.Key)
			}
		}
	}
	for _, name := range sn.ResourceNames() {
		r, err := sn.Resource(name)
		if err != nil {
			ss.cannotRead("resources/"+name+".yaml", err)
			continue
		}
		add(name, r.Secrets)
	}
	for _, name := range sn.ScenarioNames() {
		if sc, err := sn.Scenario(name); err == nil {
			add(name, sc.Secrets)
		} else {
			ss.cannotRead("scenarios/"+name+".yaml", err)
		}
	}
	return ids
}

// sourceValues resolves the infrastructure ids from each source alone.
func sourceValues(ctx context.Context, sn *store.Snapshot, e *env, ss *scanSet) error {
	specs, _, err := resolve.LoadSources(sn, e.getenv)
	if err != nil {
		return err
	}
	ids := infraIDs(sn, ss)
	for _, spec := range specs {
		name := spec.Name
		if name == "" {
			name = string(spec.Kind)
		}
		origin := "from source " + name
		if name != string(spec.Kind) {
			origin += " (" + string(spec.Kind) + ")"
		}
		opts := resolve.Options{Sources: []store.SourceSpec{spec}, AllowMissing: true, Getenv: e.getenv,
			LookupEnv: os.LookupEnv, ScenarioDir: e.cwd}
		var results []*resolve.Result
		if perScenario(spec) {
			results, err = resolveEachScenario(ctx, sn, opts)
		} else {
			var res *resolve.Result
			res, err = resolve.ResolveIDs(ctx, sn, ids, opts)
			results = []*resolve.Result{res}
		}
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			ss.cannotRead("source "+name, err)
			continue
		}
		for _, res := range results {
			for _, sk := range res.Skipped {
				ss.skip("source "+sk.Source, sk.Reason)
			}
			for _, v := range res.Values {
				if res.Scenario == "" || v.Classification == store.Infrastructure {
					ss.add(bundlescan.Secret{ID: v.ID, Value: []byte(v.Value)}, origin, false)
				}
			}
		}
	}
	return nil
}

// perScenario reports whether a source's path or field depends on the
// scenario ({scenario}): its values are then resolved for each scenario.
func perScenario(s store.SourceSpec) bool {
	return strings.Contains(s.Path, "{scenario}") || strings.Contains(s.Field, "{scenario}")
}

func resolveEachScenario(ctx context.Context, sn *store.Snapshot, opts resolve.Options) ([]*resolve.Result, error) {
	var out []*resolve.Result
	for _, name := range sn.ScenarioNames() {
		res, err := resolvePlan(ctx, sn, name, "", opts)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", name, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// ledgerValues adds every value the ledger issued, except those a bundle of
// m may carry (see [ledgerExempt]). Events are decrypted in parallel; a
// deployment whose events the key cannot read is noted once.
func ledgerValues(ctx context.Context, sn *store.Snapshot, m *store.Manifest, ss *scanSet) error {
	files, err := sn.LedgerFiles()
	if err != nil {
		return err
	}
	events := make([]*store.LedgerEvent, len(files))
	errs := make([]error, len(files))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			events[i], errs[i] = sn.LedgerEvent(f)
			if errs[i] == nil && sn.IntegrityOf(f.Path) == store.IntegrityUnverified {
				errs[i] = errors.New("read without the key: its values are not available")
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	failed := map[string]bool{}
	for i, f := range files {
		dep := f.Scenario + "/" + f.Deployment
		if errs[i] != nil {
			if !failed[dep] {
				failed[dep] = true
				ss.cannotRead("deployment "+dep, errs[i])
			}
			continue
		}
		for _, s := range events[i].Secrets {
			if s.Value != "" && !failed[dep] && !ledgerExempt(m, events[i], s.SecretID) {
				ss.add(bundlescan.Secret{ID: s.SecretID, Deployment: dep, Value: []byte(s.Value)}, "from the ledger", false)
			}
		}
	}
	return nil
}
