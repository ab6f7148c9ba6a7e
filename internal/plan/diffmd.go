package plan

import (
	"fmt"
	"strings"
)

// Markdown renders the diff as a pull-request comment: one section per
// changed plan, one table row per changed secret.
func (d *Diff) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## secretsctl plan diff\n\n`%s` → `%s`: ", short(d.Base), short(d.Head))
	if len(d.Plans) == 0 {
		b.WriteString("no plan changes.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "%d plan(s) change.\n", len(d.Plans))
	for _, p := range d.Plans {
		fmt.Fprintf(&b, "\n### %s on %s", p.Scenario, p.Tier)
		if p.Status != "changed" {
			fmt.Fprintf(&b, " (plan %s)", p.Status)
		}
		b.WriteString("\n\n| secret | change | field | before | after |\n|---|---|---|---|---|\n")
		for _, s := range p.Secrets {
			for i, f := range sortedFields(s.Fields) {
				id, change := "", ""
				if i == 0 {
					id, change = "`"+s.ID+"`", s.Change
				}
				fc := s.Fields[f]
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", id, change, f, cell(fc.Before), cell(fc.After))
			}
		}
	}
	return b.String()
}

// fieldOrder puts what reviewers look at first first.
var fieldOrder = []string{"strategy", "classification", "bundle_class", "target", "generator", "delegate"}

func sortedFields(fields map[string]FieldChange) []string {
	var out []string
	for _, f := range fieldOrder {
		if _, ok := fields[f]; ok {
			out = append(out, f)
		}
	}
	return out
}

// cell escapes a value for a Markdown table cell.
func cell(s string) string {
	if s == "-" {
		return s
	}
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "`", "'") + "`"
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
