package store

import "log/slog"

// The slog JSON handler encodes a value of a type it does not know with
// encoding/json, which carries the value of these types by design (the
// store encrypts their YAML). Each is an slog.LogValuer so that a log line
// shows [redacted] instead, through every handler.

// LogValue returns "[redacted]".
func (SecretValue) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// LogValue returns the entry without its value.
func (e LedgerEntry) LogValue() slog.Value {
	return slog.GroupValue(slog.String("secret_id", e.SecretID), slog.String("fingerprint", e.Fingerprint),
		slog.String("status", e.Status), slog.String("value", "[redacted]"))
}

// LogValue returns the event's metadata and the number of its entries.
func (ev LedgerEvent) LogValue() slog.Value {
	return slog.GroupValue(slog.String("event", ev.Event), slog.String("scenario", ev.Scenario),
		slog.String("deployment", ev.Deployment), slog.String("tier", ev.Tier), slog.Int("secrets", len(ev.Secrets)))
}

// LogValue returns what String returns.
func (v Vault) LogValue() slog.Value { return slog.StringValue(v.String()) }
