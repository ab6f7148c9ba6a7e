package store

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestScanEventMetadata reads a real event (written by secretsctl rotate,
// encrypted with the demo key) without a YAML parser.
func TestScanEventMetadata(t *testing.T) {
	data, err := os.ReadFile("testdata/ledger-event-rotate.yaml")
	require.NoError(t, err)
	ev, ok := scanEventMetadata(data)
	require.True(t, ok)
	assert.Equal(t, "rotate", ev.Event)
	assert.Equal(t, "acme-1", ev.Deployment)
	assert.Equal(t, "tier-4-saas", ev.Tier)
	assert.Equal(t, time.Date(2026, 11, 28, 13, 4, 11, 358e6, time.UTC), ev.Time)
	require.Len(t, ev.Secrets, 2)
	assert.Equal(t, LedgerEntry{SecretID: "picker-wheel/SESSION_SECRET", Fingerprint: ev.Secrets[0].Fingerprint, Status: "active"}, ev.Secrets[0])
	assert.Regexp(t, `^hmac-sha256:[0-9a-f]{64}$`, ev.Secrets[0].Fingerprint)
	assert.Equal(t, "previous", ev.Secrets[1].Status)
}

// TestScanEventMetadataFallsBack: whatever the line scanner does not
// understand is left to the YAML parser, never misread.
func TestScanEventMetadataFallsBack(t *testing.T) {
	for name, doc := range map[string]string{
		"folded reason":     "version: 1\nreason: a long reason that\n    continues here\nsops:\n    version: x\n",
		"block scalar":      "version: 1\nreason: |\n    text\nsops:\n    version: x\n",
		"flow mapping":      "version: 1\nsecrets:\n    - {secret_id: a}\nsops:\n    version: x\n",
		"comment":           "version: 1 # one\nsops:\n    version: x\n",
		"no sops block":     "version: 1\n",
		"entry before list": "version: 1\nsecrets:\n      status: active\nsops:\n    version: x\n",
	} {
		_, ok := scanEventMetadata([]byte(doc))
		assert.False(t, ok, name)
	}
	ev, ok := scanEventMetadata([]byte("version: 1\nreason: 'it''s: gone'\nsops:\n    version: x\n"))
	require.True(t, ok)
	assert.Equal(t, "it's: gone", ev.Reason)
}

// FuzzScanEventMetadata: when the scanner accepts a document, YAML reads the
// same clear fields from it.
func FuzzScanEventMetadata(f *testing.F) {
	data, _ := os.ReadFile("testdata/ledger-event-rotate.yaml")
	f.Add(string(data))
	f.Add("version: 1\nreason: \"a \\\"b\\\"\"\nsops:\n    x: y\n")
	f.Fuzz(func(t *testing.T, doc string) {
		ev, ok := scanEventMetadata([]byte(doc))
		if !ok {
			return
		}
		var want struct {
			Event  string `yaml:"event"`
			Reason string `yaml:"reason"`
			Tier   string `yaml:"tier"`
		}
		if err := yaml.Unmarshal([]byte(doc), &want); err != nil {
			return // not YAML at all; the caller's YAML fallback would refuse it too
		}
		if strings.TrimSpace(want.Reason) == strings.TrimSpace(ev.Reason) && want.Event == ev.Event && want.Tier == ev.Tier {
			return
		}
		t.Errorf("scanner read event=%q tier=%q reason=%q, YAML %q %q %q", ev.Event, ev.Tier, ev.Reason, want.Event, want.Tier, want.Reason)
	})
}
