package coverage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// withoutSecrets is the example store plus landing-page, a scenario that
// ships to local and desktop and uses static-site, a resource that
// declares no secret: two scenario × tier pairs without secrets.
func withoutSecrets(t *testing.T) *Report {
	t.Helper()
	dir := storetest.NewExample(t)
	storetest.AddScenarioWithoutSecrets(t, dir)
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	rep, err := Compute(context.Background(), sn, "", "")
	require.NoError(t, err)
	rep.Revision = "0123456789abcdef0123456789abcdef01234567"
	return rep
}

var summaryCounts = regexp.MustCompile(`(\d+) ready, (\d+) blocking, (\d+) without secrets, (\d+) not shipped`)

func countsIn(t *testing.T, text string) Counts {
	t.Helper()
	m := summaryCounts.FindStringSubmatch(text)
	require.NotNil(t, m, "no summary counts in %q", text)
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	return Counts{Ready: n(1), Blocking: n(2), NoSecrets: n(3), NotShipped: n(4)}
}

// cellsIn counts the cells of each state a rendering draws, by the
// pattern that marks a cell of that state in it.
func cellsIn(out, pattern string) Counts {
	n := func(s State) int { return strings.Count(out, fmt.Sprintf(pattern, s)) }
	return Counts{Ready: n(Ready), Blocking: n(Blocking), NoSecrets: n(NoSecrets), NotShipped: n(NotShipped)}
}

// TestFormatsAgreeOnCounts renders one report in every format and checks
// that each one's summary and each one's drawn cells give the same counts,
// with the pairs without secrets counted as such (golden files keep the
// whole renderings).
func TestFormatsAgreeOnCounts(t *testing.T) {
	rep := withoutSecrets(t)
	want := Counts{Ready: 16, Blocking: 1, NoSecrets: 2, NotShipped: 11}
	require.Equal(t, want, rep.Counts)
	m := NewMatrix(rep)
	var table, js, page, svg bytes.Buffer
	require.NoError(t, WriteTable(&table, rep))
	enc := json.NewEncoder(&js)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(rep))
	require.NoError(t, WriteHTML(&page, m))
	require.NoError(t, WriteSVG(&svg, m))
	for name, b := range map[string]*bytes.Buffer{"table.txt": &table, "json": &js, "html": &page, "svg": &svg} {
		golden(t, "without-secrets."+name, b.Bytes())
	}

	var decoded struct {
		Counts Counts `json:"counts"`
		Rows   []struct {
			Scenario string   `json:"scenario"`
			State    State    `json:"state"`
			Percent  *float64 `json:"percent"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
	assert.Equal(t, want, decoded.Counts, "json counts")
	jsonCells := Counts{NotShipped: decoded.Counts.NotShipped}
	for _, r := range decoded.Rows {
		jsonCells.add(r.State)
		if r.Scenario == "landing-page" {
			assert.Equal(t, NoSecrets, r.State)
			assert.Nil(t, r.Percent, "no secrets is not 100 %")
		}
	}
	assert.Equal(t, want, jsonCells, "json rows")

	assert.Equal(t, want, countsIn(t, table.String()), "table summary")
	tableCells := cellsIn(table.String(), "  %s  ")
	tableCells.NotShipped = want.NotShipped // the table lists shipped pairs only
	assert.Equal(t, want, tableCells, "table rows")
	assert.Regexp(t, `(?m)^landing-page +tier-2-desktop +no-secrets +0 +0 +no secrets +-$`, table.String())

	assert.Equal(t, want, countsIn(t, page.String()), "html summary")
	assert.Equal(t, want, cellsIn(page.String(), `<td class="%s"`), "html cells")
	assert.Contains(t, page.String(), `<td class="no-secrets" title="landing-page on tier-1-local: no secrets">○ no secrets</td>`)

	assert.Equal(t, want, countsIn(t, svg.String()), "svg summary")
	assert.Equal(t, want, cellsIn(svg.String(), `class="cell %s"`), "svg cells")
	legend := fmt.Sprintf("%d ready</text>|%d blocking</text>|%d without secrets</text>|%d not shipped</text>",
		want.Ready, want.Blocking, want.NoSecrets, want.NotShipped)
	for _, l := range strings.Split(legend, "|") {
		assert.Contains(t, svg.String(), l, "svg legend")
	}
}
