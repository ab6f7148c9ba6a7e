package prompt

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

func TestFromManifestExample(t *testing.T) {
	spec := agentInbox(t)
	assert.Equal(t, "agent-inbox", spec.Scenario)
	assert.Equal(t, "tier-2-desktop", spec.Tier)
	f := spec.Prompts[3]
	assert.Equal(t, "OpenRouter API key", f.Label)
	assert.Equal(t, "^sk-or-v1-[a-f0-9]{64}$", f.Pattern)
	assert.Equal(t, "https://openrouter.ai/keys", f.HelpURL)
	assert.True(t, f.Required)
	assert.Equal(t, store.BundleTarget{Type: "env", Name: "OPENROUTER_API_KEY"}, f.Target)

	data, err := json.Marshal(spec)
	require.NoError(t, err)
	back, err := ParseSpec(data)
	require.NoError(t, err)
	assert.Equal(t, spec.Prompts[3].ID, back.Prompts[3].ID)
	assert.NoError(t, back.Prompts[3].Check(canaryKey))
	assert.Error(t, back.Prompts[3].Check(canaryInvalid))
}

func TestFromManifestRejectsBadPattern(t *testing.T) {
	m := &store.Manifest{BundleSecrets: []store.BundleSecret{{ID: "x/KEY", Class: store.ClassUserPrompt, Format: "([a-z"}}}
	_, err := FromManifest(m)
	assert.ErrorContains(t, err, `prompt x/KEY: validation pattern "([a-z"`)
}

func TestCheck(t *testing.T) {
	f := Field{ID: "a/B", Label: "B", Pattern: `^[a-z]+$`, Required: true}
	for v, want := range map[string]string{
		"":         "a value is required",
		"abc\ndef": "must be a single line",
		"ABC":      "does not match the expected format ^[a-z]+$",
		"ab\x00c":  "not valid text",
		"abc":      "",
	} {
		err := f.Check(v)
		if want == "" {
			assert.NoError(t, err, "%q", v)
			continue
		}
		assert.ErrorContains(t, err, want, "%q", v)
	}
	f.Stored = true
	assert.NoError(t, f.Check(""), "an empty answer keeps a stored value")
}

func TestParseSpecErrors(t *testing.T) {
	for in, want := range map[string]string{
		`{`:             "prompt spec",
		`{"version":2}`: "version 2",
		`{"version":1,"prompts":[{"id":"a/B"},{"id":"a/B"}]}`: "repeated",
	} {
		_, err := ParseSpec([]byte(in))
		assert.ErrorContains(t, err, want, in)
	}
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(`{"version":1,"prompts":[{"id":"a/B","pattern":"^x$","required":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec(data)
		if err != nil {
			return
		}
		for i := range s.Prompts {
			_ = s.Prompts[i].Check("value")
		}
	})
}
