package cli

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/internal/importer"
)

// importReport prints what an import read and changed: a summary by
// default, every line with verbose.
type importReport struct {
	v       *importer.Vrooli
	res     *importer.Result
	db      *importer.Database
	verbose bool
}

func (r importReport) print(e *env) {
	for _, s := range r.v.Skipped {
		fmt.Fprintf(e.stderr, "secretsctl: skipped: %s\n", s)
	}
	out := e.stdout
	fmt.Fprintf(out, "read %d resources and %d scenarios\n", len(r.v.Resources), len(r.v.Scenarios))
	r.printRenames(out)
	r.printUndeclared(out)
	r.printDatabase(out)
	for _, k := range r.res.Kept {
		fmt.Fprintf(out, "kept: %s\n", k)
	}
}

// printRenames shows the name normalisation (see importer.NormalName).
func (r importReport) printRenames(out io.Writer) {
	if len(r.v.Renamed) == 0 {
		return
	}
	var pairs []string
	for _, from := range slices.Sorted(maps.Keys(r.v.Renamed)) {
		pairs = append(pairs, from+" → "+r.v.Renamed[from])
	}
	fmt.Fprintf(out, "normalised resource names: %s\n", strings.Join(pairs, ", "))
}

func (r importReport) printUndeclared(out io.Writer) {
	names := slices.Sorted(maps.Keys(r.v.Undeclared))
	if len(names) == 0 {
		return
	}
	if !r.verbose {
		fmt.Fprintf(out, "resources without a secrets declaration, imported without secrets (%d): %s\n", len(names), strings.Join(names, ", "))
		return
	}
	for _, name := range names {
		fmt.Fprintf(out, "no secrets declaration for resource %s (used by %s): imported without secrets\n",
			name, strings.Join(r.v.Undeclared[name], ", "))
	}
}

func (r importReport) printDatabase(out io.Writer) {
	if r.db == nil {
		fmt.Fprintln(out, "no --db: classifications and strategies stay gaps (the Vrooli secrets-manager database holds them; import again with --db URL)")
		return
	}
	c := r.v.Database
	fmt.Fprintf(out, "database (read in one transaction, isolation %s, read-only %s): imported %d of %d secrets, %d of %d strategies, %d of %d overrides\n",
		r.db.Isolation, r.db.ReadOnly, c.Secrets, len(r.db.Secrets), c.Strategies, len(r.db.Strategies), c.Overrides, len(r.db.Overrides))
	r.printUnmapped(out)
	if n := len(r.v.Review); n > 0 && !r.verbose {
		fmt.Fprintf(out, "to review: %d imported strategies that lint reports (--verbose lists them)\n", n)
	}
	if r.verbose {
		for _, s := range r.v.Review {
			fmt.Fprintf(out, "to review: %s\n", s)
		}
	}
}

// printUnmapped lists what the store cannot hold: by field and reason with
// a row count, or every row with verbose.
func (r importReport) printUnmapped(out io.Writer) {
	if len(r.v.Unmapped) == 0 {
		fmt.Fprintln(out, "not mapped: nothing (every database field was carried over)")
		return
	}
	if r.verbose {
		for _, u := range r.v.Unmapped {
			fmt.Fprintf(out, "not mapped: %s\n", u)
		}
		return
	}
	if len(r.res.Change.Documents) == 0 {
		fmt.Fprintf(out, "not mapped: %d fields, as when the store was imported (--verbose lists every row)\n", len(r.v.Unmapped))
		return
	}
	type group struct{ field, why string }
	rows := map[group][]string{}
	var order []group
	for _, u := range r.v.Unmapped {
		g := group{u.Table + "." + u.Field, u.Why}
		if _, seen := rows[g]; !seen {
			order = append(order, g)
		}
		rows[g] = append(rows[g], u.Row)
	}
	fmt.Fprintf(out, "not mapped: %d fields (--verbose lists every row):\n", len(r.v.Unmapped))
	for _, g := range order {
		fmt.Fprintf(out, "  %s of %s: %s\n", g.field, countRows(rows[g]), g.why)
	}
}

func countRows(rows []string) string {
	if len(rows) == 1 {
		return rows[0]
	}
	return fmt.Sprintf("%d rows", len(rows))
}

// printChange says how many documents changed, and which with verbose.
func (r importReport) printChange(e *env) {
	if r.verbose {
		for _, f := range r.res.Created {
			fmt.Fprintf(e.stdout, "created %s\n", f)
		}
		for _, f := range r.res.Updated {
			fmt.Fprintf(e.stdout, "updated %s\n", f)
		}
	}
	fmt.Fprintf(e.stdout, "%d documents created, %d updated\n", len(r.res.Created), len(r.res.Updated))
}
