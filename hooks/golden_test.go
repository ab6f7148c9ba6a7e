package hooks

import (
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

// fixedRand is a deterministic stream for golden output.
func fixedRand(seed byte) io.Reader {
	return rand.NewChaCha8([32]byte{seed, 's', 'e', 'c', 'r', 'e', 't', 's'})
}

// fixedOptions draw from a fixed stream and clock. crypto/rsa and ECDSA
// signing ignore any reader since Go 1.26, so the process-wide source is
// made deterministic too (no t.Parallel in these tests).
func fixedOptions(t *testing.T) Options {
	cryptotest.SetGlobalRandom(t, 7)
	return Options{Rand: fixedRand(1), DataDir: "/var/lib/app",
		Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }}
}

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "golden", filepath.FromSlash(name))
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
		require.NoError(t, os.WriteFile(file, got, 0o644))
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "run go test ./hooks -update to create it")
	assert.Equal(t, string(want), string(got), "golden %s", name)
}
