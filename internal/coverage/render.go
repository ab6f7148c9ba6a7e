package coverage

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"
)

//go:embed templates
var templates embed.FS

// css and pages are read and parsed on first use, not at package init:
// every secretsctl command links this package, few render a matrix.
var (
	css   = sync.OnceValue(func() string { return mustRead("templates/matrix.css") })
	pages = sync.OnceValue(func() *template.Template {
		return template.Must(template.New("").Funcs(template.FuncMap{"join": strings.Join, "first": first,
			"titleMax": func() int { return titleMax }, "sub": func(a, b int) int { return a - b }}).
			ParseFS(templates, "templates/matrix.html", "templates/matrix.svg"))
	})
)

// titleMax is how many blocking secrets a cell's tooltip names; the
// Blocking section of the page lists them all.
const titleMax = 5

func first(ids []string) []string { return ids[:min(len(ids), titleMax)] }

func mustRead(name string) string {
	b, err := templates.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// WriteHTML writes m as a standalone HTML page: inline CSS allowed by its
// hash in the page's Content-Security-Policy, no script, no external asset.
// Every name from the store is escaped.
func WriteHTML(w io.Writer, m *Matrix) error {
	sum := sha256.Sum256([]byte(css()))
	data := struct {
		M         *Matrix
		Short     string
		CSS       template.CSS
		StyleHash string
		Blocked   []blockedCell
	}{m, short(m.Revision), template.CSS(css()), "sha256-" + base64.StdEncoding.EncodeToString(sum[:]), blocked(m)}
	if err := pages().ExecuteTemplate(w, "matrix.html", data); err != nil {
		return fmt.Errorf("write coverage HTML: %w", err)
	}
	return nil
}

type blockedCell struct {
	Scenario, Tier string
	Blocking       []string
}

func blocked(m *Matrix) []blockedCell {
	var out []blockedCell
	for _, r := range m.Rows {
		for _, c := range r.Cells {
			if c.State == Blocking {
				out = append(out, blockedCell{r.Scenario, c.Tier, c.Blocking})
			}
		}
	}
	return out
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
