package plan

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/secretsctl/secretsctl/store"
)

// Pair is one scenario on one tier.
type Pair struct {
	Scenario string
	Tier     string // canonical id
}

// Pairs lists every scenario × tier it ships to, in scenario then catalogue
// order, optionally only for one scenario and one tier ("" for all). Every
// listed scenario is decoded; for all of them, every document of the
// snapshot is decoded first on all CPUs, so the plans that follow are warm.
func Pairs(ctx context.Context, sn *store.Snapshot, scenario, tier string) ([]Pair, error) {
	names := sn.ScenarioNames()
	if scenario != "" {
		names = []string{scenario}
	} else if err := sn.LoadAll(ctx); err != nil {
		return nil, err
	}
	var only string
	if tier != "" {
		t, err := sn.Tiers().Resolve(tier)
		if err != nil {
			return nil, err
		}
		only = t.ID
	}
	var out []Pair
	for _, name := range names {
		sc, err := sn.Scenario(name)
		if err != nil {
			return nil, err
		}
		for _, t := range ShippedTiers(sn.Tiers(), sc) {
			if only == "" || t.ID == only {
				out = append(out, Pair{name, t.ID})
			}
		}
	}
	if scenario != "" && only != "" && len(out) == 0 {
		sc, _ := sn.Scenario(scenario)
		return nil, &NotShippedError{Scenario: scenario, Tier: only, Ships: sc.Tiers}
	}
	return out, nil
}

// Each plans every pair on all CPUs and calls fn with the manifests in the
// order of pairs, holding only a bounded window of them in memory. It stops
// at the first error.
func Each(ctx context.Context, sn *store.Snapshot, pairs []Pair, fn func(*store.Manifest) error) error {
	workers := runtime.GOMAXPROCS(0)
	window := 16 * workers
	for start := 0; start < len(pairs); start += window {
		batch := pairs[start:min(start+window, len(pairs))]
		ms := make([]*store.Manifest, len(batch))
		errs := make([]error, len(batch))
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					ms[i], errs[i] = planSafely(sn, batch[i])
				}
			}()
		}
		for i := range batch {
			next <- i
		}
		close(next)
		wg.Wait()
		for i, m := range ms {
			if errs[i] != nil {
				return errs[i]
			}
			if err := fn(m); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// planSafely turns a panic in a worker into an error, so it reaches the
// caller (and its exit code) instead of killing the process.
func planSafely(sn *store.Snapshot, p Pair) (m *store.Manifest, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error planning %s on %s: %v", p.Scenario, p.Tier, r)
		}
	}()
	return ForSnapshot(sn, p.Scenario, p.Tier)
}
