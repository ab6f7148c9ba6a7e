package ledger

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func ev(action string, day int, entries ...store.LedgerEntry) Event {
	return Event{Path: action, LedgerEvent: &store.LedgerEvent{Event: action, Scenario: "s", Deployment: "d", Tier: "tier-4-saas",
		Time: t0.Add(time.Duration(day) * 24 * time.Hour), Secrets: entries}}
}

func entry(id, fp, status string) store.LedgerEntry {
	return store.LedgerEntry{SecretID: id, Fingerprint: fp, Status: status}
}

func statuses(d *Deployment) map[string]string {
	out := map[string]string{}
	for _, v := range d.Values {
		out[v.Fingerprint] = v.Status
	}
	return out
}

func TestDerive(t *testing.T) {
	grace := func(string) time.Duration { return 2 * 24 * time.Hour }
	issue := ev("issue", 0, entry("a/X", "x1", "active"), entry("a/Y", "y1", "active"))
	rotate1 := ev("rotate", 10, entry("a/X", "x2", "active"), entry("a/X", "x1", "previous"))
	rotate2 := ev("rotate", 20, entry("a/X", "x3", "active"), entry("a/X", "x2", "previous"))
	revokeX := ev("revoke", 21, entry("a/X", "x3", "revoked"), entry("a/X", "x2", "revoked"))
	for _, tc := range []struct {
		name   string
		events []Event
		day    int
		want   map[string]string
	}{
		{"issue", []Event{issue}, 1, map[string]string{"x1": "active", "y1": "active"}},
		{"rotate within grace", []Event{issue, rotate1}, 11, map[string]string{"x1": "previous", "x2": "active", "y1": "active"}},
		{"rotate after grace", []Event{issue, rotate1}, 12, map[string]string{"x1": "superseded", "x2": "active", "y1": "active"}},
		{"second rotation supersedes the first previous", []Event{issue, rotate1, rotate2}, 20,
			map[string]string{"x1": "superseded", "x2": "previous", "x3": "active", "y1": "active"}},
		{"revoke", []Event{issue, rotate1, rotate2, revokeX}, 21,
			map[string]string{"x1": "superseded", "x2": "revoked", "x3": "revoked", "y1": "active"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Derive(tc.events, grace, t0.Add(time.Duration(tc.day)*24*time.Hour))
			require.NoError(t, err)
			assert.Equal(t, tc.want, statuses(d))
		})
	}
}

func TestDeriveRejectsInconsistentEvents(t *testing.T) {
	grace := func(string) time.Duration { return 0 }
	issue := ev("issue", 0, entry("a/X", "x1", "active"))
	for name, tc := range map[string]struct {
		bad           Event
		field, reason string
	}{
		"revoke unknown": {ev("revoke", 1, entry("a/X", "nope", "revoked")), "secrets", "a/X: revokes a value the deployment never had"},
		"rotate unknown": {ev("rotate", 1, entry("a/X", "x2", "active"), entry("a/X", "nope", "previous")), "secrets", "a/X: rotates a value the deployment did not hold"},
		"unknown status": {ev("issue", 1, entry("a/X", "x2", "weird")), "secrets", `a/X: unknown status "weird"`},
		"tier changes": {Event{Path: "t", LedgerEvent: &store.LedgerEvent{Event: "issue", Tier: "tier-2-desktop", Time: t0}},
			"tier", "tier-2-desktop, but the deployment was issued for tier-4-saas"},
	} {
		_, err := Derive([]Event{issue, tc.bad}, grace, t0)
		var de *store.DocumentError
		if assert.ErrorAs(t, err, &de, name) {
			assert.Equal(t, tc.bad.Path, de.File, name)
			assert.Equal(t, tc.field, de.Field, name)
			assert.Contains(t, de.Reason, tc.reason, name)
		}
	}
}

func TestRevoked(t *testing.T) {
	d, err := Derive([]Event{ev("issue", 0, entry("a/X", "x1", "active")), ev("revoke", 1, entry("a/X", "x1", "revoked"))},
		func(string) time.Duration { return 0 }, t0)
	require.NoError(t, err)
	assert.True(t, d.Revoked())
	assert.Empty(t, d.Active())
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"12h": 12 * time.Hour, "90d": 90 * 24 * time.Hour, "2w": 14 * 24 * time.Hour} {
		got, err := ParseAge(in)
		require.NoError(t, err)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "d", "10", "10m", "-1d", "x1d"} {
		_, err := ParseAge(bad)
		assert.Error(t, err, bad)
	}
}

func TestFingerprintIsKeyed(t *testing.T) {
	k1, k2 := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	assert.Regexp(t, `^hmac-sha256:[0-9a-f]{64}$`, Fingerprint(k1, "v"))
	mac := hmac.New(sha256.New, k1)
	mac.Write([]byte("v"))
	assert.Equal(t, "hmac-sha256:"+hex.EncodeToString(mac.Sum(nil)), Fingerprint(k1, "v"), "HMAC-SHA256 of the value under the key")
	assert.NotEqual(t, Fingerprint(k1, "v"), Fingerprint(k2, "v"), "another key, another fingerprint")
	assert.NotEqual(t, Fingerprint(k1, "v"), Fingerprint(k1, "w"))
	// RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
	assert.Equal(t, "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		Fingerprint([]byte("Jefe"), "what do ya want for nothing?"))
	_, err := ParseKey("abcd")
	assert.Error(t, err, "too short")
	_, err = ParseKey("zz")
	assert.Error(t, err)
}
