package lint_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/lint"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

func TestCheckDocumentAppliesOneDocumentRules(t *testing.T) {
	st, err := store.Open(storetest.NewExample(t), store.Options{})
	require.NoError(t, err)
	doc := `version: 1
name: shop
resources:
  - name: postgres
overrides:
  postgres/POSTGRES_PASSWORD:
    desktop: {strategy: strip}
secrets:
  - key: SHOP_TOKEN
    classification: service
    strategies:
      mobile: {strategy: generate}
`
	err = lint.CheckDocument(st, "scenarios/shop.yaml", []byte(doc))
	var ve *store.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Problems, 2)
	assert.Equal(t, 7, ve.Problems[0].Line)
	assert.Equal(t, "overrides.postgres/POSTGRES_PASSWORD.desktop", ve.Problems[0].Field)
	assert.Contains(t, ve.Problems[0].Reason, "override-without-reason")
	assert.Equal(t, 12, ve.Problems[1].Line)
	assert.Equal(t, "secrets[0].strategies.mobile", ve.Problems[1].Field)
	assert.Contains(t, ve.Problems[1].Reason, "incomplete-strategy: generate strategy has no generator")

	fixed := `version: 1
name: shop
resources:
  - name: postgres
`
	assert.NoError(t, lint.CheckDocument(st, "scenarios/shop.yaml", []byte(fixed)))
}
