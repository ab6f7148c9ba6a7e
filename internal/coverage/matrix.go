package coverage

import "github.com/secretsctl/secretsctl/store"

// State is the readiness of one scenario on one tier.
type State string

// The readiness states of a matrix cell.
const (
	// Ready: every secret has a strategy and none blocks the plan.
	Ready State = "ready"
	// Blocking: at least one secret blocks the plan.
	Blocking State = "blocking"
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

// Counts counts a matrix's cells by state.
type Counts struct {
	Ready      int `json:"ready"`
	Blocking   int `json:"blocking"`
	NotShipped int `json:"not_shipped"`
}

// Matrix is a [Report] laid out as scenarios × tiers, every tier of the
// catalogue a column, so that the tiers a scenario does not ship to show.
type Matrix struct {
	Revision    string       `json:"revision"`
	Tiers       []store.Tier `json:"tiers"`
	Rows        []MatrixRow  `json:"rows"`
	Counts      Counts       `json:"counts"`
	Total       int          `json:"total_secrets"`
	Strategized int          `json:"strategized_secrets"`
	Percent     float64      `json:"percent"`
}

// NewMatrix lays out rep over tiers (the columns, in order) and scenarios
// (the rows, in order). A pair rep has no row for is not shipped.
func NewMatrix(rep *Report, tiers []store.Tier, scenarios []string) *Matrix {
	m := &Matrix{Revision: rep.Revision, Tiers: tiers, Rows: []MatrixRow{},
		Total: rep.Total, Strategized: rep.Strategized, Percent: rep.Percent}
	byPair := map[[2]string]*Row{}
	for i := range rep.Rows {
		r := &rep.Rows[i]
		byPair[[2]string{r.Scenario, r.Tier}] = r
	}
	for _, name := range scenarios {
		mr := MatrixRow{Scenario: name, Cells: make([]Cell, len(tiers))}
		for i, t := range tiers {
			mr.Cells[i] = newCell(t.ID, byPair[[2]string{name, t.ID}])
			m.Counts.add(mr.Cells[i].State)
		}
		m.Rows = append(m.Rows, mr)
	}
	return m
}

func newCell(tier string, r *Row) Cell {
	if r == nil {
		return Cell{Tier: tier, State: NotShipped, Blocking: []string{}}
	}
	c := Cell{Tier: tier, State: Ready, Strategized: r.Strategized, Total: r.Total, Blocking: r.Blocking}
	if c.Blocking == nil {
		c.Blocking = []string{}
	}
	if len(c.Blocking) > 0 || r.Strategized < r.Total {
		c.State = Blocking
	}
	return c
}

func (c *Counts) add(s State) {
	switch s {
	case Ready:
		c.Ready++
	case Blocking:
		c.Blocking++
	default:
		c.NotShipped++
	}
}
