package importer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Database is what a Vrooli secrets-manager database holds, read in one
// transaction at REPEATABLE READ, READ ONLY: the import never writes to it.
type Database struct {
	Secrets    []DBSecret
	Strategies []DBStrategy
	Overrides  []DBOverride
	// Unknown lists columns of the three tables this importer does not
	// know (a newer secrets-manager): they are not imported.
	Unknown []Unmapped
	// Isolation and ReadOnly are the server's transaction_isolation and
	// transaction_read_only inside the import's transaction.
	Isolation, ReadOnly string
}

// DBSecret is one row of resource_secrets. DefaultValue and LastRotated
// only say whether the column is set: the import never reads a value.
type DBSecret struct {
	ID, Resource, Key, Type                          string
	Required                                         bool
	Description, ValidationPattern, DocumentationURL *string
	DefaultValue                                     bool
	Classification                                   string
	OwnerTeam, OwnerContact                          *string
	RotationDays                                     *int32
	LastRotated                                      bool
}

// DBStrategy is one row of secret_deployment_strategies.
type DBStrategy struct {
	ID, SecretID, Tier, Handling   string
	Fallback                       *string
	RequiresInput                  bool
	PromptLabel, PromptDescription *string
	GeneratorTemplate, BundleHints []byte
}

// DBOverride is one row of scenario_secret_strategy_overrides; a nil field
// inherits the resource's strategy.
type DBOverride struct {
	ID, Scenario, SecretID, Tier   string
	Handling, Fallback             *string
	RequiresInput                  *bool
	PromptLabel, PromptDescription *string
	GeneratorTemplate, BundleHints []byte
	Reason                         *string
}

const (
	secretsQuery = `SELECT id::text, resource_name, secret_key, secret_type, required, description,
	validation_pattern, documentation_url, default_value IS NOT NULL, classification, owner_team,
	owner_contact, rotation_period_days, last_rotated_at IS NOT NULL
	FROM resource_secrets ORDER BY resource_name, secret_key, id`
	strategiesQuery = `SELECT s.id::text, s.resource_secret_id::text, s.tier, s.handling_strategy,
	s.fallback_strategy, s.requires_user_input, s.prompt_label, s.prompt_description,
	s.generator_template, s.bundle_hints
	FROM secret_deployment_strategies s JOIN resource_secrets r ON r.id = s.resource_secret_id
	ORDER BY r.resource_name, r.secret_key, s.tier, s.id`
	overridesQuery = `SELECT o.id::text, o.scenario_name, o.resource_secret_id::text, o.tier,
	o.handling_strategy, o.fallback_strategy, o.requires_user_input, o.prompt_label,
	o.prompt_description, o.generator_template, o.bundle_hints, o.override_reason
	FROM scenario_secret_strategy_overrides o JOIN resource_secrets r ON r.id = o.resource_secret_id
	ORDER BY o.scenario_name, r.resource_name, r.secret_key, o.tier, o.id`
)

// ErrDatabaseURL is returned for a database URL the driver cannot parse.
var ErrDatabaseURL = errors.New("invalid database URL")

// knownColumns are the columns of each table the import reads or, for id
// and the timestamps, deliberately leaves out (git history records when a
// document changed).
var knownColumns = map[string][]string{
	"resource_secrets": {"id", "resource_name", "secret_key", "secret_type", "required", "description",
		"validation_pattern", "documentation_url", "default_value", "classification", "owner_team",
		"owner_contact", "rotation_period_days", "last_rotated_at", "created_at", "updated_at"},
	"secret_deployment_strategies": {"id", "resource_secret_id", "tier", "handling_strategy",
		"fallback_strategy", "requires_user_input", "prompt_label", "prompt_description",
		"generator_template", "bundle_hints", "created_at", "updated_at"},
	"scenario_secret_strategy_overrides": {"id", "scenario_name", "resource_secret_id", "tier",
		"handling_strategy", "fallback_strategy", "requires_user_input", "prompt_label",
		"prompt_description", "generator_template", "bundle_hints", "override_reason", "created_at", "updated_at"},
}

// ReadDatabase reads the secrets-manager tables at url (a PostgreSQL URL
// or key=value string; a password belongs in PGPASSWORD or ~/.pgpass,
// which the driver reads, rather than in the URL).
func ReadDatabase(ctx context.Context, url string) (*Database, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDatabaseURL, err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the secrets-manager database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("begin a read-only transaction: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // nothing was written: rolling back ends the snapshot
	db := &Database{}
	if err := tx.QueryRow(ctx, "SELECT current_setting('transaction_isolation'), current_setting('transaction_read_only')").
		Scan(&db.Isolation, &db.ReadOnly); err != nil {
		return nil, fmt.Errorf("read the transaction settings: %w", err)
	}
	if err := db.readTables(ctx, tx); err != nil {
		return nil, err
	}
	return db, nil
}

func (db *Database) readTables(ctx context.Context, tx pgx.Tx) error {
	var err error
	if db.Secrets, err = collect[DBSecret](ctx, tx, "resource_secrets", secretsQuery); err != nil {
		return err
	}
	if db.Strategies, err = collect[DBStrategy](ctx, tx, "secret_deployment_strategies", strategiesQuery); err != nil {
		return err
	}
	if db.Overrides, err = collect[DBOverride](ctx, tx, "scenario_secret_strategy_overrides", overridesQuery); err != nil {
		return err
	}
	for _, table := range []string{"resource_secrets", "secret_deployment_strategies", "scenario_secret_strategy_overrides"} {
		if err := db.checkColumns(ctx, tx, table); err != nil {
			return err
		}
	}
	return nil
}

func collect[T any](ctx context.Context, tx pgx.Tx, table, query string) ([]T, error) {
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[T])
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return list, nil
}

// checkColumns lists the columns of table the import does not know.
func (db *Database) checkColumns(ctx context.Context, tx pgx.Tx, table string) error {
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return fmt.Errorf("read the columns of %s: %w", table, err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("read the columns of %s: %w", table, err)
	}
	for _, c := range cols {
		if !slices.Contains(knownColumns[table], c) {
			db.Unknown = append(db.Unknown, Unmapped{Table: table, Row: "every row", Field: c,
				Why: "a column this importer does not know"})
		}
	}
	return nil
}
