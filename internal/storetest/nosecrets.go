package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

// AddScenarioWithoutSecrets commits to the store at dir landing-page, a
// scenario that ships to local and desktop and uses static-site, a
// resource that declares no secret: two scenario × tier pairs without
// secrets.
func AddScenarioWithoutSecrets(t testing.TB, dir string) {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	_, _, err = s.Commit(context.Background(), store.Change{
		Documents: map[string]any{
			"resources/static-site.yaml": &store.Resource{Version: 1, Name: "static-site", Secrets: []store.Secret{}},
			"scenarios/landing-page.yaml": &store.Scenario{Version: 1, Name: "landing-page",
				Tiers: []string{"local", "desktop"}, Resources: []store.ResourceUse{{Name: "static-site"}}},
		},
		Message: store.Message{Subject: "a scenario without secrets", Action: "edit"},
	})
	require.NoError(t, err)
}
