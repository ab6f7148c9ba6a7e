package prompt

// Value is a secret a user typed. It prints as "[redacted]" with every fmt
// verb, in JSON and as text; string(v) is the value.
type Value string

const redacted = "[redacted]"

// String returns "[redacted]".
func (Value) String() string { return redacted }

// GoString returns "[redacted]", for %#v.
func (Value) GoString() string { return redacted }

// MarshalText returns "[redacted]", so JSON, YAML and slog never see the value.
func (Value) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Answers maps secret ids to the values given. A prompt skipped (optional)
// or kept (already stored) has no entry.
type Answers map[string]Value
