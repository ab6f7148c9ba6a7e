package hooks

import (
	"crypto/rand"
	"io"
	"time"
)

// Options are what generation draws on besides a generator's parameters.
// The zero value is ready to use.
type Options struct {
	// Rand is the source of randomness; crypto/rand when nil. Tests inject
	// a fixed reader.
	Rand io.Reader
	// DataDir is the app's data directory, the base of sqlite-path values;
	// "data" when empty.
	DataDir string
	// Now is the clock of uuid v7 and tls-cert validity; time.Now when nil.
	Now func() time.Time
}

func (o Options) rand() io.Reader {
	if o.Rand == nil {
		return rand.Reader
	}
	return o.Rand
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) dataDir() string {
	if o.DataDir == "" {
		return "data"
	}
	return o.DataDir
}
