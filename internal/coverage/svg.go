package coverage

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// Fill colours of the SVG picture, the same as the HTML page's.
var fills = map[State]string{Ready: "#43a047", Blocking: "#e53935", NotShipped: "#e0e0e0"}

// Layout of the SVG picture.
const (
	svgPad       = 6
	svgBadgeH    = 22
	svgLabelW    = 112 // "secrets coverage" at 11px
	svgCharW     = 7   // a generous average advance at 11px
	svgMaxCols   = 100 // scenarios per band before the grid wraps
	svgTitlesMax = 200 // above this many scenarios, cells carry no tooltip
)

type svgCell struct {
	X, Y, Size  int
	Fill, Title string
}

// WriteSVG writes m as a compact picture for a README badge or a pull
// request comment: a badge with the share of strategized secrets and the
// number of blocking pairs, over a grid with a square per scenario × tier
// (tiers down, scenarios across, wrapping in bands of 100 scenarios).
func WriteSVG(w io.Writer, m *Matrix) error {
	size := 10
	if len(m.Rows) > 50 {
		size = 4
	}
	gap := 1
	cols := min(max(len(m.Rows), 1), svgMaxCols)
	bandH := len(m.Tiers)*(size+gap) + svgPad
	bands := (len(m.Rows) + svgMaxCols - 1) / svgMaxCols
	value := fmt.Sprintf("%.1f%% · %d blocking", m.Percent, m.Counts.Blocking)
	valueW := utf8.RuneCountInString(value)*svgCharW + 12
	width := max(svgLabelW+valueW+2, 2*svgPad+cols*(size+gap))
	data := struct {
		Width, Height, LabelWidth, ValueWidth, ValueX int
		Label, Value, BadgeColor                      string
		Cells                                         []svgCell
	}{
		Width: width, Height: svgBadgeH + svgPad + bands*bandH, LabelWidth: svgLabelW, ValueWidth: valueW,
		ValueX: svgLabelW + 6, Value: value, BadgeColor: fills[Ready],
		Label: fmt.Sprintf("secrets coverage %.1f%%: %d ready, %d blocking, %d not shipped (%d scenarios × %d tiers)",
			m.Percent, m.Counts.Ready, m.Counts.Blocking, m.Counts.NotShipped, len(m.Rows), len(m.Tiers)),
	}
	if m.Counts.Blocking > 0 {
		data.BadgeColor = fills[Blocking]
	}
	for i, r := range m.Rows {
		x := svgPad + (i%svgMaxCols)*(size+gap)
		y0 := svgBadgeH + svgPad + (i/svgMaxCols)*bandH
		for j, c := range r.Cells {
			cell := svgCell{X: x, Y: y0 + j*(size+gap), Size: size, Fill: fills[c.State]}
			if len(m.Rows) <= svgTitlesMax {
				cell.Title = fmt.Sprintf("%s on %s: %s", r.Scenario, c.Tier, c.State)
			}
			data.Cells = append(data.Cells, cell)
		}
	}
	if err := pages().ExecuteTemplate(w, "matrix.svg", data); err != nil {
		return fmt.Errorf("write coverage SVG: %w", err)
	}
	return nil
}
