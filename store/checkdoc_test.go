package store_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

func TestCheckDocumentListsEveryProblemWithLinesAndSuggestions(t *testing.T) {
	s, _ := openExample(t)
	doc := `version: 1
name: stripe
secrets:
  - key: STRIPE_KEY
    clasification: service
    strategies:
      desktp: {strategy: strip}
      saas: {strategy: genrate}
  - key: STRIPE_WEBHOOK
    classification: servce
`
	c, err := s.CheckDocument("resources/stripe.yaml", []byte(doc))
	require.NoError(t, err)
	var got []string
	for _, p := range c.Problems {
		got = append(got, p.Error())
	}
	assert.Equal(t, []string{
		`resources/stripe.yaml:5: secrets[0].clasification: unknown field "clasification" (did you mean "classification"?)`,
		`resources/stripe.yaml:7: secrets[0].strategies.desktp: unknown tier "desktp" (did you mean "desktop"?); valid tiers: tier-1-local (local, 1), tier-2-desktop (desktop, 2), tier-3-mobile (mobile, 3), tier-4-saas (saas, cloud, 4), tier-5-enterprise (enterprise, 5)`,
		`resources/stripe.yaml:8: secrets[0].strategies.saas.strategy: value must be one of 'strip', 'generate', 'prompt', 'delegate' (did you mean "generate"?)`,
		`resources/stripe.yaml:10: secrets[1].classification: value must be one of 'infrastructure', 'service', 'user' (did you mean "service"?)`,
	}, got)
	err = c.Err()
	var ve *store.ValidationError
	require.ErrorAs(t, err, &ve)
	var de *store.DocumentError
	assert.True(t, errors.As(err, &de), "a validation error is a document error (exit 4)")
	assert.Contains(t, err.Error(), "resources/stripe.yaml: 4 problems")
}

func TestCheckDocumentScenarioReferences(t *testing.T) {
	s, _ := openExample(t)
	doc := `version: 1
name: shop
tiers: [local, mobil]
resources:
  - name: postgress
  - name: redis
`
	c, err := s.CheckDocument("scenarios/shop.yaml", []byte(doc))
	require.NoError(t, err)
	require.Len(t, c.Problems, 2)
	assert.Equal(t, 3, c.Problems[0].Line)
	assert.Contains(t, c.Problems[0].Reason, `unknown tier "mobil" (did you mean "mobile"?)`)
	assert.Equal(t, 5, c.Problems[1].Line)
	assert.Contains(t, c.Problems[1].Reason, `resource "postgress" not found`)
	assert.Contains(t, c.Problems[1].Reason, `(did you mean "postgres"?)`)
}

func TestCheckDocumentValidAndNonDocuments(t *testing.T) {
	s, _ := openExample(t)
	c, err := s.CheckFile("resources/postgres.yaml")
	require.NoError(t, err)
	assert.Empty(t, c.Problems)
	assert.IsType(t, &store.Resource{}, c.Doc)
	require.NoError(t, c.Err())

	c, err = s.CheckDocument("secretsctl.yaml", []byte("version: 1\ntiers:\n  - id: kiosk\n    aliass: [k]\n"))
	require.NoError(t, err)
	require.Len(t, c.Problems, 1)
	assert.Equal(t, 4, c.Problems[0].Line)
	assert.Contains(t, c.Problems[0].Reason, `(did you mean "aliases"?)`)

	c, err = s.CheckDocument("notes/readme.yaml", []byte("a: [1\n"))
	require.NoError(t, err)
	require.Len(t, c.Problems, 1, "a file of no known kind still has its YAML checked")
	assert.Contains(t, c.Problems[0].Reason, "malformed YAML")
}

func TestSuggest(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"desktp", "desktop"}, {"DESKTP", "desktop"}, {"clasification", "classification"},
		{"desktop", ""}, {"xyz", ""}, {"ab", ""},
	} {
		assert.Equal(t, tt.want, store.Suggest(tt.name, []string{"desktop", "classification", "local", "ac"}), tt.name)
	}
}
