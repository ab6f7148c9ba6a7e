package hooks

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

const redacted = "[redacted]"

// Value is one secret's value in a bundle. It formats as [redacted] with
// every fmt verb and encodes to JSON without the value: only [Value.Reveal]
// gives the value.
type Value struct {
	// ID is the secret id, "resource/KEY".
	ID string
	// Key is the secret key, the default env variable name.
	Key string
	// Generator is the generator type that made the value.
	Generator string
	// Reused is true when the value came from the existing values given to
	// [CreateBundle] rather than being generated now.
	Reused bool
	value  string
}

// Reveal returns the value itself.
func (v Value) Reveal() string { return v.value }

// String returns [redacted].
func (v Value) String() string { return redacted }

// Format writes [redacted] whatever the verb, so no fmt call prints a value.
func (v Value) Format(f fmt.State, _ rune) { fmt.Fprint(f, redacted) }

// MarshalJSON encodes the value's metadata, never the value.
func (v Value) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ID        string `json:"id"`
		Key       string `json:"key"`
		Generator string `json:"generator"`
		Reused    bool   `json:"reused"`
	}{v.ID, v.Key, v.Generator, v.Reused})
}

// File is one rendered file of a bundle. Its content holds values, so it
// formats as [redacted]; [File.Content] gives it.
type File struct {
	// Path is slash-separated and relative to the output directory.
	Path string
	// Mode is the file's permission bits.
	Mode    fs.FileMode
	content []byte
}

// Content returns the rendered bytes.
func (f File) Content() []byte { return f.content }

// String returns the path and [redacted].
func (f File) String() string { return f.Path + ": " + redacted }

// Format writes what String returns whatever the verb.
func (f File) Format(s fmt.State, _ rune) { fmt.Fprint(s, f.String()) }
