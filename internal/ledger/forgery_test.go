package ledger

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

const forgedValue = "attacker-chosen-value-4f1c9e"

// forgedStore issues deployment acme of picker-wheel on saas with the key,
// then lets a pusher without any key add a rotate event for
// picker-wheel/SESSION_SECRET (the attack of issue 22).
func forgedStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	issue(t, &Writer{Store: st}, "acme")
	rel := storetest.ForgeRotation(t, dir, "picker-wheel", "acme", "picker-wheel/SESSION_SECRET", forgedValue)
	return st, rel
}

// requireForged checks err is the forged event's integrity error, naming
// its file, and never the value.
func requireForged(t *testing.T, err error, rel string) {
	t.Helper()
	var fe *ForgedEventError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, rel, fe.File)
	var ie *store.IntegrityError
	require.ErrorAs(t, err, &ie, "a forged event is an integrity error (exit 5)")
	assert.Contains(t, err.Error(), "does not match its fingerprint")
	assert.NotContains(t, err.Error(), forgedValue)
}

func TestForgedRotationIsRefused(t *testing.T) {
	st, rel := forgedStore(t)
	w := &Writer{Store: st}
	ctx := context.Background()
	target := Target{Scenario: "picker-wheel", Deployment: "acme"}

	out := filepath.Join(t.TempDir(), "render")
	_, err := w.Render(ctx, target, out)
	requireForged(t, err, rel)
	_, statErr := os.Stat(out)
	assert.True(t, errors.Is(statErr, os.ErrNotExist), "nothing is rendered")

	_, err = w.Issue(ctx, IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: "acme", Out: t.TempDir()})
	requireForged(t, err, rel)
	_, err = w.Rotate(ctx, target)
	requireForged(t, err, rel)
	_, err = w.Revoke(ctx, target, "compromised")
	requireForged(t, err, rel)

	sn, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	_, err = Reader{Snapshot: sn, Mode: Metadata, Verify: CanVerify(sn)}.All("")
	requireForged(t, err, rel)
	_, err = Reader{Snapshot: sn, Mode: Metadata, Verify: true, Now: time.Now()}.RotationDue("")
	requireForged(t, err, rel)
}

func TestAuditMarksForgedEvent(t *testing.T) {
	st, rel := forgedStore(t)
	sn, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)

	a, err := Reader{Snapshot: sn, Now: time.Now(), Verify: CanVerify(sn)}.Audit(Filter{Deployment: "acme"})
	require.NoError(t, err)
	assert.Equal(t, IntegrityFailed, a.Integrity)
	require.Len(t, a.Problems, 1)
	assert.Contains(t, a.Problems[0], rel)
	requireForged(t, a.Err(), rel)
	var forged []string
	for _, tr := range a.Trail {
		if tr.Forged {
			forged = append(forged, tr.Event)
		}
	}
	assert.Equal(t, []string{rel}, forged)
	for _, h := range a.Holdings {
		assert.Equal(t, strings.HasPrefix(h.Fingerprint, "hmac-sha256:0000") || h.Forged, h.Forged, "only the forged value is marked")
	}

	// Without the private key the audit reads metadata and says so.
	unverified, err := Reader{Snapshot: sn, Now: time.Now()}.Audit(Filter{Deployment: "acme"})
	require.NoError(t, err)
	assert.Equal(t, store.IntegrityUnverified, unverified.Integrity)
	assert.NoError(t, unverified.Err())
}

// A genuine rotation verifies: the checks refuse forgeries only.
func TestGenuineRotationVerifies(t *testing.T) {
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	w := &Writer{Store: st}
	issue(t, w, "acme")
	_, err = w.Rotate(context.Background(), Target{Deployment: "acme", Secret: "picker-wheel/SESSION_SECRET"})
	require.NoError(t, err)
	_, err = w.Revoke(context.Background(), Target{Deployment: "acme"}, "decommissioned")
	require.NoError(t, err)
	sn, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	a, err := Reader{Snapshot: sn, Now: time.Now(), Verify: CanVerify(sn)}.Audit(Filter{Deployment: "acme"})
	require.NoError(t, err)
	assert.Equal(t, store.IntegrityVerified, a.Integrity)
	assert.Empty(t, a.Problems)
}

// The fingerprint key's document removed by a pusher does not turn the
// check off: a ledger with values and no key is an integrity error.
func TestRemovedFingerprintKeyIsIntegrityError(t *testing.T) {
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	issue(t, &Writer{Store: st}, "acme")
	storetest.CommitOnBranch(t, dir, "secretsctl/ledger", store.FingerprintKeyFile, nil)
	_, err = (&Writer{Store: st}).Render(context.Background(), Target{Deployment: "acme"}, t.TempDir())
	var ie *store.IntegrityError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, store.FingerprintKeyFile, ie.File)
}

func TestEntriesProblem(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	good := store.LedgerEntry{SecretID: "a/B", Fingerprint: Fingerprint(key, "v1"), Status: store.StatusActive, Value: "v1"}
	for name, tc := range map[string]struct {
		entry store.LedgerEntry
		want  string
	}{
		"genuine":             {good, ""},
		"other value":         {store.LedgerEntry{SecretID: "a/B", Fingerprint: good.Fingerprint, Status: store.StatusActive, Value: "v2"}, "does not match its fingerprint"},
		"other key":           {store.LedgerEntry{SecretID: "a/B", Fingerprint: Fingerprint([]byte("another key, also 32 bytes long!"), "v1"), Status: store.StatusActive, Value: "v1"}, "does not match its fingerprint"},
		"active no value":     {store.LedgerEntry{SecretID: "a/B", Fingerprint: good.Fingerprint, Status: store.StatusActive}, "active entry without a value"},
		"previous with value": {store.LedgerEntry{SecretID: "a/B", Fingerprint: good.Fingerprint, Status: store.StatusPrevious, Value: "v1"}, "previous entry carries a value"},
		"revoked, no value":   {store.LedgerEntry{SecretID: "a/B", Fingerprint: good.Fingerprint, Status: store.StatusRevoked}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			got := entriesProblem(Event{LedgerEvent: &store.LedgerEvent{Secrets: []store.LedgerEntry{tc.entry}}}, key)
			if tc.want == "" {
				assert.Empty(t, got)
			} else {
				assert.Contains(t, got, tc.want)
			}
		})
	}
}
