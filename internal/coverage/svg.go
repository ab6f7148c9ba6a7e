package coverage

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Fill colours of the SVG picture, the same as the HTML page's.
var fills = map[State]string{Ready: "#43a047", Blocking: "#e53935", NoSecrets: "#ffffff", NotShipped: "#e0e0e0"}

// Layout of the SVG picture, in pixels; text is 11px.
const (
	svgPad      = 8
	svgCharW    = 7  // a generous average advance at 11px
	svgLineH    = 16 // a line of text
	svgSide     = 12 // a cell's side
	svgPitch    = 15 // from one row or column to the next
	svgBandRows = 50 // scenarios per band before the grid wraps into a new band
	svgNameMax  = 40 // longer scenario names are cut (the tooltip has them whole)
	svgBandGap  = 24
)

type svgCell struct {
	X, Y, Size         int
	State, Fill, Title string
}

type svgText struct {
	X, Y   int
	Text   string
	Rotate bool
}

type svgLegend struct {
	X, Y        int
	State, Fill string
	Text        string
}

type svgData struct {
	Width, Height, LabelWidth, ValueWidth, ValueX int
	Label, Value, BadgeColor                      string
	Lines                                         []svgText
	Legend                                        []svgLegend
	Labels                                        []svgText // scenario names, right-aligned
	Headers                                       []svgText // tier ids, rotated
	Cells                                         []svgCell
}

// WriteSVG writes m as a picture for a README or a pull request comment: a
// badge, the summary sentence and a legend with the count of each state,
// over a grid with a square per scenario × tier whose rows name their
// scenario and whose columns name their tier (in bands of 50 scenarios side
// by side, so that 138 scenarios × 5 tiers stay legible).
func WriteSVG(w io.Writer, m *Matrix) error {
	d := svgData{LabelWidth: 112, Value: badgeValue(m), BadgeColor: badgeColor(m.Counts)}
	d.ValueWidth = utf8.RuneCountInString(d.Value)*svgCharW + 12
	d.ValueX = d.LabelWidth + 6
	d.Label = "secrets coverage: " + m.Summary
	y := svgPad + 20 + svgLineH
	counts, share, _ := strings.Cut(m.Summary, "; ")
	for _, line := range []string{counts, share} {
		d.Lines = append(d.Lines, svgText{X: svgPad, Y: y, Text: line})
		y += svgLineH
	}
	d.Legend, y = legend(m.Counts, y)
	width := layoutGrid(&d, m, y+svgPad)
	for _, l := range d.Lines {
		width = max(width, 2*svgPad+utf8.RuneCountInString(l.Text)*svgCharW)
	}
	d.Width = max(width, d.LabelWidth+d.ValueWidth+2*svgPad)
	if err := pages().ExecuteTemplate(w, "matrix.svg", d); err != nil {
		return fmt.Errorf("write coverage SVG: %w", err)
	}
	return nil
}

func badgeValue(m *Matrix) string {
	if m.Percent == nil {
		return fmt.Sprintf("no secrets · %d blocking", m.Counts.Blocking)
	}
	return fmt.Sprintf("%s · %d blocking", FormatPercent(m.Percent), m.Counts.Blocking)
}

func badgeColor(c Counts) string {
	switch {
	case c.Blocking > 0:
		return fills[Blocking]
	case c.Ready > 0:
		return fills[Ready]
	}
	return "#9e9e9e"
}

func legend(c Counts, y int) ([]svgLegend, int) {
	items := []struct {
		s State
		n int
		t string
	}{{Ready, c.Ready, "ready"}, {Blocking, c.Blocking, "blocking"}, {NoSecrets, c.NoSecrets, "without secrets"}, {NotShipped, c.NotShipped, "not shipped"}}
	var out []svgLegend
	x := svgPad
	for _, it := range items {
		text := fmt.Sprintf("%d %s", it.n, it.t)
		out = append(out, svgLegend{X: x, Y: y, State: string(it.s), Fill: fills[it.s], Text: text})
		x += svgSide + 6 + utf8.RuneCountInString(text)*svgCharW + 14
	}
	return out, y + svgLineH
}

// layoutGrid places the grid's bands from top and returns the picture's
// width; it sets d.Height.
func layoutGrid(d *svgData, m *Matrix, top int) int {
	nameW, tierW := 0, 0
	for _, r := range m.Rows {
		nameW = max(nameW, min(utf8.RuneCountInString(r.Scenario), svgNameMax))
	}
	for _, t := range m.Tiers {
		tierW = max(tierW, utf8.RuneCountInString(t.ID))
	}
	labelW := nameW*svgCharW + 6
	headerH := tierW*(svgCharW-1) + 8 // rotated text: a tighter average advance
	bands := max((len(m.Rows)+svgBandRows-1)/svgBandRows, 1)
	perBand := (len(m.Rows) + bands - 1) / bands
	bandW := labelW + len(m.Tiers)*svgPitch + svgBandGap
	gridTop := top + headerH
	for b := range bands {
		x0 := svgPad + b*bandW
		for j, t := range m.Tiers {
			d.Headers = append(d.Headers, svgText{X: x0 + labelW + j*svgPitch + svgSide - 2, Y: gridTop - 4, Text: t.ID, Rotate: true})
		}
	}
	for i, r := range m.Rows {
		x0 := svgPad + (i/max(perBand, 1))*bandW
		y := gridTop + (i%max(perBand, 1))*svgPitch
		d.Labels = append(d.Labels, svgText{X: x0 + labelW - 6, Y: y + svgSide - 2, Text: cut(r.Scenario)})
		for j, c := range r.Cells {
			d.Cells = append(d.Cells, svgCell{X: x0 + labelW + j*svgPitch, Y: y, Size: svgSide,
				State: string(c.State), Fill: fills[c.State], Title: cellTitle(r.Scenario, c)})
		}
	}
	d.Height = gridTop + perBand*svgPitch + svgPad
	return svgPad + bands*bandW - svgBandGap + svgPad
}

func cut(name string) string {
	if utf8.RuneCountInString(name) <= svgNameMax {
		return name
	}
	return string([]rune(name)[:svgNameMax-1]) + "…"
}

func cellTitle(scenario string, c Cell) string {
	switch c.State {
	case NotShipped:
		return fmt.Sprintf("%s does not ship to %s", scenario, c.Tier)
	case NoSecrets:
		return fmt.Sprintf("%s on %s: no secrets", scenario, c.Tier)
	}
	return fmt.Sprintf("%s on %s: %s, %d of %d strategized", scenario, c.Tier, c.State, c.Strategized, c.Total)
}
