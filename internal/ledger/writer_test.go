package ledger

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

const envKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func issue(t *testing.T, w *Writer, d string) (*Result, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), d)
	res, err := w.Issue(context.Background(), IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: d, Out: out})
	require.NoError(t, err)
	return res, out
}

// TestFingerprintKeyFromEnvironment: the key given in the environment is
// stored (encrypted) with the first event and fingerprints the values; a
// different key later is refused.
func TestFingerprintKeyFromEnvironment(t *testing.T) {
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	w := &Writer{Store: st, FingerprintKey: envKey}
	res, out := issue(t, w, "one")
	require.True(t, res.Committed)

	sn, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	stored, err := sn.FingerprintKey()
	require.NoError(t, err)
	assert.Equal(t, envKey, stored)
	d, err := Reader{Snapshot: sn}.Deployment("picker-wheel", "one")
	require.NoError(t, err)
	env, err := os.ReadFile(filepath.Join(out, ".env"))
	require.NoError(t, err)
	key, _ := hex.DecodeString(envKey)
	for _, line := range strings.Split(strings.TrimSpace(string(env)), "\n") {
		name, value, _ := strings.Cut(line, "=")
		v := d.Active()[idOf(t, d, name)]
		assert.Equal(t, Fingerprint(key, value), v.Fingerprint, name)
	}

	other := &Writer{Store: st, FingerprintKey: strings.Repeat("ab", 32)}
	_, err = other.Issue(context.Background(), IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: "two", Out: t.TempDir()})
	require.ErrorContains(t, err, "differs from the store's fingerprint key")
}

func idOf(t *testing.T, d *Deployment, key string) string {
	t.Helper()
	for id := range d.Active() {
		if strings.HasSuffix(id, "/"+key) {
			return id
		}
	}
	t.Fatalf("no active value for %s", key)
	return ""
}

// TestAppendWithPublicRecipientsOnly: a job without the private key, with
// the fingerprint key from the environment, appends a new deployment; it
// cannot re-render one (that needs the values).
func TestAppendWithPublicRecipientsOnly(t *testing.T) {
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	issue(t, &Writer{Store: st, FingerprintKey: envKey}, "first")

	os.Unsetenv("SOPS_AGE_KEY_FILE")
	ci, err := store.Open(dir, store.Options{Getenv: func(string) string { return "" }})
	require.NoError(t, err)
	require.False(t, ci.HasKey())
	w := &Writer{Store: ci, FingerprintKey: envKey, AllowUnverified: true}
	res, _ := issue(t, w, "from-ci")
	assert.True(t, res.Committed)
	assert.Len(t, res.Changed, 4)

	_, err = w.Issue(context.Background(), IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: "first", Out: t.TempDir()})
	require.ErrorIs(t, err, store.ErrNoKey)

	// Back with the key, the CI job's event decrypts and verifies.
	full, err := store.Open(dir, store.Options{Getenv: func(k string) string {
		if k == "SOPS_AGE_KEY_FILE" {
			return filepath.Join(dir, "demo-age-key.txt")
		}
		return ""
	}})
	require.NoError(t, err)
	sn, err := full.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	d, err := Reader{Snapshot: sn}.Deployment("picker-wheel", "from-ci")
	require.NoError(t, err)
	assert.Len(t, d.Active(), 4)
}

// TestIssueRefusesEscapingIDs keeps deployment ids inside deployments/.
func TestIssueRefusesEscapingIDs(t *testing.T) {
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	for _, id := range []string{"..", "../x", "a/b", "A", ".hidden", "a..b", "", strings.Repeat("a", 129)} {
		_, err := (&Writer{Store: st}).Issue(context.Background(), IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: id, Out: t.TempDir()})
		var bad *InvalidIDError
		assert.ErrorAs(t, err, &bad, "%q", id)
	}
}
