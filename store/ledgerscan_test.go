package store

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestScanEventMetadataAgreesWithYAML: documents the scanner once misread
// (FuzzScanEventMetadata found them) read as YAML reads them, or not at all.
func TestScanEventMetadataAgreesWithYAML(t *testing.T) {
	for name, doc := range map[string]string{
		"two spaces after the colon": "event:  00\nsops:\n    x: y\n",
		"key after sops":             "event: issue\nsops:\n    x: y\nevent: rotate\n",
		"field after sops":           "sops:\n    x: y\ntier: tier-4-saas\n",
		"quoted scalar in sops":      "sops:\n    x: \"a\nevent: b\"\n",
		"hex escape":                 "reason: \"\\xe9\"\nsops:\n    x: y\n",
		"plain continuation":         "secrets:\n    - status: act\n        ive\nsops:\n    x: y\n",
		"repeated key":               "tier: a\ntier: b\nsops:\n    x: y\n",
		"short timestamp":            "time: 2026-1-2\nsops:\n    x: y\n",
		"tab":                        "reason:\tx\nsops:\n    x: y\n",
		"carriage return":            "reason: x\r\nsops:\n    x: y\n",
		"single quotes":              "reason: 'a'b'c'\nsops:\n    x: y\n",
	} {
		t.Run(name, func(t *testing.T) { checkScanAgrees(t, doc) })
	}
	ev, ok := scanEventMetadata([]byte("event:  00\nsops:\n    x: y\ntier: t\n"))
	require.True(t, ok)
	assert.Equal(t, "00", ev.Event)
	assert.Equal(t, "t", ev.Tier)
}

// checkScanAgrees fails when the scanner reads a field other than YAML
// does, or accepts a document YAML refuses even without the blocks the
// scanner skips (sops:, generator:, value:), whose YAML it does not check.
func checkScanAgrees(t *testing.T, doc string) {
	t.Helper()
	var skipped []int
	got, ok := scanEvent([]byte(doc), &skipped)
	if !ok {
		return // the caller parses it as YAML
	}
	want, err := yamlEventMetadata([]byte(doc))
	if err != nil {
		lines := strings.Split(doc, "\n")
		for _, i := range slices.Backward(skipped) {
			lines = slices.Delete(lines, i, i+1)
		}
		if want, err = yamlEventMetadata([]byte(strings.Join(lines, "\n"))); err != nil {
			t.Fatalf("scanner accepted a document YAML refuses (%v): %q", err, doc)
		}
	}
	if !assert.Equal(t, want, got, "document %q", doc) {
		t.FailNow()
	}
}

// FuzzScanEventMetadata: when the scanner accepts a document, YAML reads the
// same metadata from it, every field; YAML refusing it is a failure too.
func FuzzScanEventMetadata(f *testing.F) {
	data, _ := os.ReadFile("testdata/ledger-event-rotate.yaml")
	f.Add(string(data))
	f.Add("version: 1\nreason: \"a \\\"b\\\"\"\nsops:\n    x: y\n")
	f.Add("event:  00\nsops:\n    x: y\nevent: 1\n")
	f.Add("time: \"2026-01-02T03:04:05Z\"\nsecrets:\n    - secret_id: a/B\n      value: |\n        x\n      status: active\nsops:\n    - enc: |\n        z\n      r: 'q'\n")
	f.Fuzz(func(t *testing.T, doc string) { checkScanAgrees(t, doc) })
}
