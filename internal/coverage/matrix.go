package coverage

import (
	"fmt"

	"github.com/secretsctl/secretsctl/store"
)

// State is the readiness of one scenario on one tier.
type State string

// The readiness states of a matrix cell.
const (
	// Ready: the pair has secrets, every one has a strategy and none
	// blocks the plan.
	Ready State = "ready"
	// Blocking: at least one secret blocks the plan.
	Blocking State = "blocking"
	// NoSecrets: the scenario ships to the tier with no secret at all;
	// there is nothing to strategize, which is neither ready nor 100 %.
	NoSecrets State = "no-secrets"
	// NotShipped: the scenario does not ship to the tier.
	NotShipped State = "not-shipped"
)

// Cell is one scenario on one tier of a [Matrix].
type Cell struct {
	Tier        string `json:"tier"`
	State       State  `json:"state"`
	Strategized int    `json:"strategized_secrets"`
	Total       int    `json:"total_secrets"`
	// Blocking lists the ids of the secrets that block the plan.
	Blocking []string `json:"blocking"`
}

// MatrixRow is one scenario of a [Matrix], with a cell per tier.
type MatrixRow struct {
	Scenario string `json:"scenario"`
	Cells    []Cell `json:"cells"`
}

// Counts counts a grid's cells by state.
type Counts struct {
	Ready      int `json:"ready"`
	Blocking   int `json:"blocking"`
	NoSecrets  int `json:"no_secrets"`
	NotShipped int `json:"not_shipped"`
}

// Cells is the number of cells counted.
func (c Counts) Cells() int { return c.Ready + c.Blocking + c.NoSecrets + c.NotShipped }

func (c *Counts) add(s State) {
	switch s {
	case Ready:
		c.Ready++
	case Blocking:
		c.Blocking++
	case NoSecrets:
		c.NoSecrets++
	default:
		c.NotShipped++
	}
}

// Matrix is a [Report] laid out as scenarios × tiers, every tier of the
// grid a column, so that the tiers a scenario does not ship to show.
type Matrix struct {
	Revision    string       `json:"revision"`
	Tiers       []store.Tier `json:"tiers"`
	Rows        []MatrixRow  `json:"rows"`
	Counts      Counts       `json:"counts"`
	Total       int          `json:"total_secrets"`
	Strategized int          `json:"strategized_secrets"`
	Percent     *float64     `json:"percent"`
	// Summary is the report's [Report.Summary].
	Summary string `json:"summary"`
}

// NewMatrix lays out rep over its grid. It decides nothing: every cell
// takes the state of its row in rep, or not shipped when rep has none.
func NewMatrix(rep *Report) *Matrix {
	m := &Matrix{Revision: rep.Revision, Tiers: rep.tiers, Rows: []MatrixRow{}, Counts: rep.Counts,
		Total: rep.Total, Strategized: rep.Strategized, Percent: rep.Percent, Summary: rep.Summary()}
	byPair := map[[2]string]*Row{}
	for i := range rep.Rows {
		r := &rep.Rows[i]
		byPair[[2]string{r.Scenario, r.Tier}] = r
	}
	for _, name := range rep.Scenarios {
		mr := MatrixRow{Scenario: name, Cells: make([]Cell, len(rep.tiers))}
		for i, t := range rep.tiers {
			mr.Cells[i] = newCell(t.ID, byPair[[2]string{name, t.ID}])
		}
		m.Rows = append(m.Rows, mr)
	}
	return m
}

func newCell(tier string, r *Row) Cell {
	if r == nil {
		return Cell{Tier: tier, State: NotShipped, Blocking: []string{}}
	}
	c := Cell{Tier: tier, State: r.State, Strategized: r.Strategized, Total: r.Total, Blocking: r.Blocking}
	if c.Blocking == nil {
		c.Blocking = []string{}
	}
	return c
}

// Summary is the one sentence every format prints under its picture:
// the grid, its cells by state, and the share of strategized secrets.
func (r *Report) Summary() string {
	share := "no secrets to strategize"
	if r.Percent != nil {
		share = fmt.Sprintf("%d of %d secrets strategized (%s)", r.Strategized, r.Total, FormatPercent(r.Percent))
	}
	if r.Suggested > 0 {
		share += fmt.Sprintf(", %d of them by unreviewed suggestions", r.Suggested)
	}
	return fmt.Sprintf("%d scenarios × %d tiers: %d ready, %d blocking, %d without secrets, %d not shipped; %s",
		len(r.Scenarios), len(r.tiers), r.Counts.Ready, r.Counts.Blocking, r.Counts.NoSecrets, r.Counts.NotShipped, share)
}

// FormatPercent prints a [Percent] with one decimal, or "no secrets".
func FormatPercent(p *float64) string {
	if p == nil {
		return "no secrets"
	}
	return fmt.Sprintf("%.1f%%", *p)
}
