package importer

import "fmt"

// Unmapped is one database field the store cannot hold, or a whole row
// (Field "row") the import could not place.
type Unmapped struct {
	Table string // resource_secrets, secret_deployment_strategies, ...
	Row   string // postgres/POSTGRES_PASSWORD, postgres/POSTGRES_PASSWORD@tier-2-desktop, ...
	Field string // a column, "bundle_hints.<key>", or "row"
	Why   string
}

// String is one line naming the field, the row and the reason.
func (u Unmapped) String() string {
	return fmt.Sprintf("%s.%s of %s: %s", u.Table, u.Field, u.Row, u.Why)
}

// Counts are the database rows the import carried over.
type Counts struct {
	Secrets, Strategies, Overrides int
}

func (v *Vrooli) unmapped(table, row, field, why string, args ...any) {
	v.Unmapped = append(v.Unmapped, Unmapped{Table: table, Row: row, Field: field, Why: fmt.Sprintf(why, args...)})
}
