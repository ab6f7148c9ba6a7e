package plan

import (
	"fmt"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// Markdown renders the diff as a pull-request comment: one section per
// changed plan, one table row per changed secret.
func (d *Diff) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## secretsctl plan diff\n\n%s: ", d.header())
	if len(d.Plans) == 0 {
		b.WriteString("no plan changes.\n")
	} else {
		fmt.Fprintf(&b, "%d plan(s) change.\n", len(d.Plans))
	}
	b.WriteString(integrityLine(d.Integrity))
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

// header says what is compared with what.
func (d *Diff) header() string {
	head := "`" + short(d.Head) + "`"
	if d.HeadRef != "" && d.HeadRef != d.Head {
		head = "`" + d.HeadRef + "` (" + head + ")"
	}
	switch d.Mode {
	case ModeThreeDot:
		return fmt.Sprintf("%s since its merge base with `%s` (`%s`; three-dot, as a pull request shows it)",
			head, d.BaseRef, short(d.Base))
	case ModeTwoDot:
		return fmt.Sprintf("`%s` (`%s`) → %s (tip to tip, two-dot)", d.BaseRef, short(d.Base), head)
	}
	return fmt.Sprintf("`%s` → `%s`", short(d.Base), short(d.Head))
}

// integrityLine says whether the documents compared were verified.
func integrityLine(integrity string) string {
	if integrity == store.IntegrityUnverified {
		return "\nintegrity: unverified (read without the private key: no MAC or seal was checked)\n"
	}
	return "\nintegrity: " + integrity + "\n"
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
