// Package importer reads other tools' secret declarations into store
// documents.
//
// # Vrooli
//
// [ReadVrooli] reads a Vrooli checkout (resources/*/config/secrets.yaml,
// scenarios/*/.vrooli/service.json) and, when given one, the
// secrets-manager database read by [ReadDatabase] (tables resource_secrets,
// secret_deployment_strategies and scenario_secret_strategy_overrides).
// Every database field the store can hold is carried over; every field it
// cannot hold is listed in [Vrooli.Unmapped] with the row and the reason,
// never dropped silently. Without the database the import decides nothing
// it cannot read: classifications and strategies stay unset, so they
// surface as gaps.
//
// Resource names are normalised by [NormalName]; [Merge] brings a store up
// to date without losing what the store added by hand.
package importer
