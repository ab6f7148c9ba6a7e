package coverage

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes rep as a text table, a row per scenario × tier it
// ships to, then the report's [Report.Summary].
func WriteTable(w io.Writer, rep *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tTIER\tSTATE\tSTRATEGIZED\tTOTAL\tCOVERAGE\tMISSING")
	for _, row := range rep.Rows {
		missing := strings.Join(row.Missing, ", ")
		if missing == "" {
			missing = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", row.Scenario, row.Tier, row.State,
			row.Strategized, row.Total, FormatPercent(row.Percent), missing)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", rep.Summary())
	return err
}
