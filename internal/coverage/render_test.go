package coverage

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// exampleMatrix is the matrix of the example store at its committed state,
// with a fixed revision so that the golden files do not depend on the
// commit the test makes.
func exampleMatrix(t *testing.T) *Matrix {
	t.Helper()
	sn := storetest.ExampleSnapshot(t)
	rep, err := Compute(context.Background(), sn, "", "")
	require.NoError(t, err)
	rep.Revision = "0123456789abcdef0123456789abcdef01234567"
	return NewMatrix(rep)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/coverage -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs; -update rewrites it", path)
}

func TestMatrixOfExampleStore(t *testing.T) {
	m := exampleMatrix(t)
	require.Len(t, m.Tiers, 5)
	require.Len(t, m.Rows, 5)
	assert.Equal(t, Counts{Ready: 16, Blocking: 1, NotShipped: 8}, m.Counts)
	for _, r := range m.Rows {
		if r.Scenario != "picker-wheel" {
			continue
		}
		c := r.Cells[1]
		assert.Equal(t, Cell{Tier: store.TierDesktop, State: Blocking, Strategized: 12, Total: 13,
			Blocking: []string{"n8n/WEBHOOK_URL"}}, c)
		assert.Equal(t, Ready, r.Cells[0].State)
	}
}

func TestWriteHTMLGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, exampleMatrix(t)))
	golden(t, "example.html", b.Bytes())
	assert.Contains(t, b.String(), `<td class="blocking" title="picker-wheel on tier-2-desktop: 1 blocking: n8n/WEBHOOK_URL">✗ 12/13</td>`)
}

func TestWriteSVGGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteSVG(&b, exampleMatrix(t)))
	golden(t, "example.svg", b.Bytes())
	assert.Contains(t, b.String(), "99.5% · 1 blocking")
	assert.Contains(t, b.String(), `<text class="name" x=`, "rows are named in the picture")
	assert.Contains(t, b.String(), `rotate(-90)">tier-2-desktop</text>`, "columns are named in the picture")
}

var externalRef = regexp.MustCompile(`(?i)(https?:)?//[a-z0-9]|\b(src|href|action|srcset)\s*=|@import|url\(|<script|<link|<iframe|<object|<embed`)

// TestHTMLIsSelfContained checks the page loads nothing: no URL, no
// script, no reference a browser would follow.
func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, exampleMatrix(t)))
	assert.Empty(t, externalRef.FindAllString(b.String(), -1))
	assert.Contains(t, b.String(), `content="default-src 'none'; style-src 'sha256-`)
}

// TestSVGIsSelfContained allows only the SVG namespace URI, which is a
// name, not a fetch.
func TestSVGIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, WriteSVG(&b, exampleMatrix(t)))
	s := strings.Replace(b.String(), `xmlns="http://www.w3.org/2000/svg"`, "", 1)
	assert.Empty(t, externalRef.FindAllString(s, -1))
}

// hostileMatrix names a scenario, a tier and a secret with markup.
func hostileMatrix() *Matrix {
	const evil = `<script>alert(1)</script><img src=x onerror="alert(2)">&"'`
	rep := &Report{Revision: "rev", Scenarios: []string{evil}, tiers: []store.Tier{{ID: "t-" + evil}}}
	rep.add(Row{Scenario: evil, Tier: "t-" + evil, State: Blocking, Total: 2, Strategized: 1,
		Percent: Percent(1, 2), Missing: []string{evil + "/KEY"}, Blocking: []string{evil + "/KEY"}})
	rep.Percent = Percent(1, 2)
	return NewMatrix(rep)
}

func TestRenderersEscapeHostileNames(t *testing.T) {
	for name, write := range map[string]func(*bytes.Buffer, *Matrix) error{
		"html": func(b *bytes.Buffer, m *Matrix) error { return WriteHTML(b, m) },
		"svg":  func(b *bytes.Buffer, m *Matrix) error { return WriteSVG(b, m) },
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, write(&b, hostileMatrix()))
			out := b.String()
			assert.NotContains(t, out, "<script")
			assert.NotContains(t, out, "<img")
			assert.NotContains(t, out, `onerror="`)
			assert.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;")
		})
	}
}

func TestComputeCountsBlockingByClassification(t *testing.T) {
	sn := storetest.ExampleSnapshot(t)
	rep, err := Compute(context.Background(), sn, "picker-wheel", "desktop")
	require.NoError(t, err)
	require.Len(t, rep.Rows, 1)
	row := rep.Rows[0]
	assert.Equal(t, []string{"n8n/WEBHOOK_URL"}, row.Blocking)
	assert.Equal(t, map[store.Classification]ClassCount{
		store.Infrastructure: {Total: 5, Strategized: 5},
		store.Service:        {Total: 5, Strategized: 4, Blocking: 1},
		store.User:           {Total: 3, Strategized: 3},
	}, row.ByClassification)
}

func TestCellTooltipNamesAFewBlockingSecrets(t *testing.T) {
	ids := []string{"r/A", "r/B", "r/C", "r/D", "r/E", "r/F", "r/G"}
	rep := &Report{Scenarios: []string{"s"}, tiers: []store.Tier{{ID: "t"}}}
	rep.add(Row{Scenario: "s", Tier: "t", State: Blocking, Total: 7, Missing: ids, Blocking: ids})
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, NewMatrix(rep)))
	assert.Contains(t, b.String(), `title="s on t: 7 blocking: r/A, r/B, r/C, r/D, r/E and 2 more">✗ 0/7</td>`)
	assert.Contains(t, b.String(), `<li>s on t: <code>r/A</code>, <code>r/B</code>, <code>r/C</code>, <code>r/D</code>, <code>r/E</code>, <code>r/F</code>, <code>r/G</code></li>`)
}
