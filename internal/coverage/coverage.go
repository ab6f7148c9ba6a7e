// Package coverage measures how much of each plan is decided: the share of
// a scenario's secrets with an explicit strategy, per scenario × tier.
//
// [Compute] plans every pair once and decides each pair's [State] and the
// [Counts] of every state; the table, JSON, HTML and SVG renderers (and the
// dashboard, through the API's JSON) only lay out what it decided, so that
// no two of them can tell different stories.
package coverage

import (
	"context"
	"math"
	"slices"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// Row is the coverage of one scenario on one tier it ships to.
type Row struct {
	Scenario    string `json:"scenario"`
	Tier        string `json:"tier"`
	State       State  `json:"state"`
	Total       int    `json:"total_secrets"`
	Strategized int    `json:"strategized_secrets"`
	// Suggested counts the strategized secrets whose strategy `secretsctl
	// suggest` wrote and nobody has reviewed yet.
	Suggested int `json:"suggested_secrets"`
	// Percent is the share of strategized secrets (see [Percent]); null
	// when the pair has no secrets, which is not 100 %.
	Percent *float64 `json:"percent"`
	// Missing lists the secrets without a strategy, as ids, sorted.
	Missing []string `json:"missing"`
	// Blocking lists the secrets that block the plan (a missing or
	// incomplete strategy, an infrastructure secret shipped to end users,
	// a missing classification), as ids, sorted. It includes Missing.
	Blocking []string `json:"blocking"`
	// ByClassification counts the secrets of each classification present.
	ByClassification map[store.Classification]ClassCount `json:"by_classification"`
}

// ClassCount counts the secrets of one classification in a [Row].
type ClassCount struct {
	Total       int `json:"total_secrets"`
	Strategized int `json:"strategized_secrets"`
	Blocking    int `json:"blocking_secrets"`
}

// Report is the coverage of a grid of scenarios × tiers: a [Row] per pair
// the scenario ships to, and the [Counts] of every cell of the grid.
type Report struct {
	Revision string `json:"revision"`
	// Scenarios and Tiers are the grid's rows and columns, in order.
	Scenarios []string `json:"scenarios"`
	Tiers     []string `json:"tiers"`
	Rows      []Row    `json:"rows"`
	// Counts counts the grid's cells by state.
	Counts      Counts   `json:"counts"`
	Total       int      `json:"total_secrets"`
	Strategized int      `json:"strategized_secrets"`
	Suggested   int      `json:"suggested_secrets"`
	Percent     *float64 `json:"percent"`

	tiers []store.Tier
}

// Compute plans every scenario × tier of the grid the filters select
// (every scenario and every tier of the catalogue when empty; a tier is an
// id or an alias) and decides each pair's state once.
func Compute(ctx context.Context, sn *store.Snapshot, scenario, tier string) (*Report, error) {
	pairs, err := plan.Pairs(ctx, sn, scenario, tier)
	if err != nil {
		return nil, err
	}
	r := &Report{Revision: sn.Revision, Scenarios: sn.ScenarioNames(), Rows: []Row{}, tiers: sn.Tiers().Tiers()}
	if scenario != "" {
		r.Scenarios = []string{scenario}
	}
	if tier != "" {
		t, err := sn.Tiers().Resolve(tier)
		if err != nil {
			return nil, err
		}
		r.tiers = []store.Tier{t}
	}
	for _, t := range r.tiers {
		r.Tiers = append(r.Tiers, t.ID)
	}
	err = plan.Each(ctx, sn, pairs, func(m *store.Manifest) error {
		r.add(newRow(m))
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.Counts.NotShipped = len(r.Scenarios)*len(r.tiers) - len(r.Rows)
	r.Percent = Percent(r.Strategized, r.Total)
	return r, nil
}

func (r *Report) add(row Row) {
	r.Rows = append(r.Rows, row)
	r.Counts.add(row.State)
	r.Total += row.Total
	r.Strategized += row.Strategized
	r.Suggested += row.Suggested
}

func newRow(m *store.Manifest) Row {
	row := Row{Scenario: m.Scenario, Tier: m.TierID, Total: m.Summary.TotalSecrets,
		Strategized: m.Summary.StrategizedSecrets, Missing: []string{}, Blocking: []string{},
		ByClassification: map[store.Classification]ClassCount{}}
	for _, b := range m.Summary.BlockingSecretDetails {
		row.Blocking = append(row.Blocking, store.SecretID(b.Resource, b.Secret))
	}
	slices.Sort(row.Blocking)
	row.Blocking = slices.Compact(row.Blocking)
	for _, s := range m.Secrets {
		cc := row.ByClassification[s.Classification]
		cc.Total++
		if s.StrategySource == store.SourceSuggested {
			row.Suggested++
		}
		if s.HandlingStrategy == store.Unspecified {
			row.Missing = append(row.Missing, s.ID)
		} else {
			cc.Strategized++
		}
		if _, found := slices.BinarySearch(row.Blocking, s.ID); found {
			cc.Blocking++
		}
		row.ByClassification[s.Classification] = cc
	}
	row.Percent = Percent(row.Strategized, row.Total)
	row.State = stateOf(row)
	return row
}

// stateOf is the one place a pair's state is decided.
func stateOf(r Row) State {
	switch {
	case r.Total == 0:
		return NoSecrets
	case len(r.Blocking) > 0 || r.Strategized < r.Total:
		return Blocking
	}
	return Ready
}

// Below returns the rows with secrets under min percent; rows without
// secrets have no share to compare and are left out (see Counts.NoSecrets).
func (r *Report) Below(min float64) []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Percent != nil && *row.Percent < min {
			out = append(out, row)
		}
	}
	return out
}

// Percent is part of whole as a percentage rounded to one decimal, nil
// when whole is 0. Rounding never reaches 100 while a secret is missing,
// nor 0 while one is strategized: 1999 of 2000 is 99.9, 1 of 2000 is 0.1.
func Percent(part, whole int) *float64 {
	if whole == 0 {
		return nil
	}
	p := math.Round(float64(part)*1000/float64(whole)) / 10
	switch {
	case part < whole && p >= 100:
		p = 99.9
	case part > 0 && p <= 0:
		p = 0.1
	}
	return &p
}
