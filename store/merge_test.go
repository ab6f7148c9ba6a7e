package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

const mergeBase = `version: 1
name: stripe
secrets:
  - key: STRIPE_SECRET_KEY
    classification: infrastructure
    strategies:
      saas: {strategy: delegate, delegate: {provider: vault, reference: secret/data/stripe}}
  - key: STRIPE_PUBLISHABLE_KEY
    classification: service
    strategies:
      local: {strategy: strip}
`

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	require.Contains(t, s, old)
	return replaceFirst(s, old, new)
}

func replaceFirst(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	return s
}

// checkMerged writes a merge result to rel in the store and reads it back
// decrypted and validated.
func checkMerged(t *testing.T, s *store.Store, dir, rel string, doc []byte) *store.DocumentCheck {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, rel), doc, 0o644))
	c, err := s.CheckFile(rel)
	require.NoError(t, err)
	return c
}

func TestMergeDifferentSecretsAndTiers(t *testing.T) {
	s, dir := openExample(t)
	ours := replaceOnce(t, mergeBase, "      local: {strategy: strip}\n", "      local: {strategy: strip}\n      desktop: {strategy: generate, generator: {type: random}}\n")
	theirs := replaceOnce(t, mergeBase, "secret/data/stripe}}\n", "secret/data/stripe}}\n      enterprise: {strategy: strip, reason: customer-run}\n")
	theirs = replaceOnce(t, theirs, "    classification: service\n", "    classification: service\n    description: shown in the browser\n")
	res, err := s.Merge("resources/stripe.yaml", []byte(mergeBase), []byte(ours), []byte(theirs))
	require.NoError(t, err)
	assert.Empty(t, res.Conflicts)
	c := checkMerged(t, s, dir, "resources/stripe.yaml", res.Document)
	require.NoError(t, c.Err())
	r := c.Doc.(*store.Resource)
	require.Len(t, r.Secrets, 2)
	assert.Contains(t, r.Secrets[0].Strategies, store.TierEnterprise)
	assert.Contains(t, r.Secrets[0].Strategies, store.TierSaaS)
	assert.Contains(t, r.Secrets[1].Strategies, store.TierDesktop)
	assert.Contains(t, r.Secrets[1].Strategies, store.TierLocal)
	assert.Equal(t, "shown in the browser", r.Secrets[1].Description)
}

func TestMergeSameFieldConflictKeepsValuesEncrypted(t *testing.T) {
	s, dir := openExample(t)
	base := "version: 1\nscope: local\nvalues:\n  stripe/STRIPE_SECRET_KEY: base-value\n  stripe/OTHER: same\n"
	ours := replaceFirst(base, "base-value", "canary-ours-4a1f")
	theirs := replaceFirst(base, "base-value", "canary-theirs-9c2e")
	theirs = replaceFirst(theirs, "stripe/OTHER: same", "stripe/OTHER: also-theirs")
	res, err := s.Merge("vault/local.yaml", []byte(base), []byte(ours), []byte(theirs))
	require.NoError(t, err)
	assert.Equal(t, []string{"values.stripe/STRIPE_SECRET_KEY"}, res.Conflicts)
	for _, canary := range []string{"canary-ours-4a1f", "canary-theirs-9c2e", "base-value", "also-theirs"} {
		assert.NotContains(t, string(res.Document), canary)
	}
	c := checkMerged(t, s, dir, "vault/local.yaml", res.Document)
	require.Error(t, c.Err(), "a conflict document does not validate until resolved")
	assert.Contains(t, c.Err().Error(), "secretsctl_conflicts: unresolved merge conflict")
}

func TestMergeResourceConflictNamesFields(t *testing.T) {
	s, _ := openExample(t)
	ours := replaceFirst(mergeBase, "local: {strategy: strip}", "local: {strategy: prompt, prompt: {label: Key}}")
	theirs := replaceFirst(mergeBase, "local: {strategy: strip}", "local: {strategy: generate, generator: {type: random}}")
	theirs = replaceFirst(theirs, "classification: infrastructure", "classification: service")
	ours = replaceFirst(ours, "classification: infrastructure", "classification: user")
	res, err := s.Merge("resources/stripe.yaml", []byte(mergeBase), []byte(ours), []byte(theirs))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"secrets[STRIPE_SECRET_KEY].classification",
		"secrets[STRIPE_PUBLISHABLE_KEY].strategies.local",
	}, res.Conflicts, "a strategy is one field: its parts depend on its kind")
	assert.Contains(t, string(res.Document), "#   secrets[STRIPE_SECRET_KEY].classification\n", "the comment names each field")
}
