// Package coverage measures how much of each plan is decided: the share of
// a scenario's secrets with an explicit strategy, per scenario × tier.
package coverage

import (
	"context"
	"math"
	"slices"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// Row is the coverage of one scenario on one tier.
type Row struct {
	Scenario    string  `json:"scenario"`
	Tier        string  `json:"tier"`
	Total       int     `json:"total_secrets"`
	Strategized int     `json:"strategized_secrets"`
	Percent     float64 `json:"percent"`
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

// Report is the coverage of every selected scenario × tier.
type Report struct {
	Revision    string  `json:"revision"`
	Rows        []Row   `json:"rows"`
	Total       int     `json:"total_secrets"`
	Strategized int     `json:"strategized_secrets"`
	Percent     float64 `json:"percent"`
}

// Compute plans every pair and counts explicit strategies.
func Compute(ctx context.Context, sn *store.Snapshot, pairs []plan.Pair) (*Report, error) {
	r := &Report{Revision: sn.Revision, Rows: []Row{}}
	err := plan.Each(ctx, sn, pairs, func(m *store.Manifest) error {
		row := newRow(m)
		row.Percent = percent(row.Strategized, row.Total)
		r.Rows = append(r.Rows, row)
		r.Total += row.Total
		r.Strategized += row.Strategized
		return nil
	})
	if err != nil {
		return nil, err
	}
	r.Percent = percent(r.Strategized, r.Total)
	return r, nil
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
	return row
}

// Below returns the rows under min percent.
func (r *Report) Below(min float64) []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Percent < min {
			out = append(out, row)
		}
	}
	return out
}

// percent is the share as a percentage rounded down to one decimal, so a
// row is never shown as 100 while a secret is missing; no secrets is 100.
func percent(part, whole int) float64 {
	if whole == 0 {
		return 100
	}
	return math.Floor(float64(part)*1000/float64(whole)) / 10
}
