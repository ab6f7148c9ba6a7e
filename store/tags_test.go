package store_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// test that re-spelling a clear scalar of a sealed document as !!binary
// base64 — which keeps its MAC and seal, since both authenticate the
// decoded value — is refused with the file, field and line, instead of the
// base64 text being read as the pattern.
func TestBinaryTagOnSealedDocumentIsRefused(t *testing.T) {
	s, dir := openExample(t)
	const pattern = `^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$`
	tamper(t, dir, "resources/n8n.yaml", "validation_pattern: "+pattern,
		"validation_pattern: !!binary "+base64.StdEncoding.EncodeToString([]byte(pattern)))
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	_, err = sn.Resource("n8n")
	var de *store.DocumentError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "resources/n8n.yaml", de.File)
	assert.Equal(t, 84, de.Line)
	assert.Contains(t, de.Field, "validation_pattern")
	assert.Contains(t, de.Reason, "explicit YAML tag !!binary")
}

// test that two spellings of one timestamp, which the MAC and the seal
// cannot tell apart, read as the same value: the instant, not the text.
func TestTimestampSpellingsReadTheSame(t *testing.T) {
	s, dir := openExample(t)
	path := filepath.Join(dir, "resources", "stamp.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`version: 1
name: stamp
secrets:
  - key: TOKEN
    description: 2026-01-02
    classification: service
    strategies:
      saas: {strategy: strip, reason: supplied by the platform}
`), 0o644))
	require.NoError(t, s.SealFile("resources/stamp.yaml"))
	storetest.Git(t, dir, "add", "-A")
	storetest.Git(t, dir, "commit", "-q", "-m", "stamp")
	read := func() string {
		t.Helper()
		sn, err := s.Snapshot(store.ReadOptions{})
		require.NoError(t, err)
		r, err := sn.Resource("stamp")
		require.NoError(t, err)
		assert.Equal(t, store.IntegrityVerified, sn.IntegrityOf("resources/stamp.yaml"))
		return r.Secrets[0].Description
	}
	before := read()
	// Sealing writes the timestamp as 2026-01-02T00:00:00Z; re-spell it
	// back as a bare date, without the key.
	tamper(t, dir, "resources/stamp.yaml", "description: 2026-01-02T00:00:00Z", "description: 2026-01-02 00:00:00")
	after := read()
	assert.Equal(t, "2026-01-02T00:00:00Z", before)
	assert.Equal(t, before, after, "a re-spelling the seal cannot see must not change what is read")
}
