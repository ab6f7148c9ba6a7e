package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

// TestEveryKindRefusesInvalidDocuments checks, for each kind the store reads,
// that its schema refuses a value of the wrong type, a missing required
// field, a value outside an enum and an unknown property, with an error that
// names the file, the line, the field and the problem.
func TestEveryKindRefusesInvalidDocuments(t *testing.T) {
	type bad struct {
		name, doc, want string
	}
	kinds := []struct {
		kind  store.Kind
		file  string
		new   func() any
		valid string
		bad   []bad
	}{
		{store.KindConfig, "secretsctl.yaml", func() any { return &store.Config{} },
			"version: 1\nname: example\nsources:\n  - kind: filesystem\n", []bad{
				{"wrong type", "version: 1\nname: [example]\n", "secretsctl.yaml:2: name: got array, want string"},
				{"missing required", "name: example\n", "secretsctl.yaml:1: missing property 'version'"},
				{"unknown enum value", "version: 1\nsources:\n  - kind: keychain\n", "secretsctl.yaml:3: sources[0].kind: value must be one of 'filesystem', 'dotenv', 'hashicorp-vault'"},
				{"unknown property", "version: 1\nnmae: example\n", "secretsctl.yaml:1: additional properties 'nmae' not allowed"},
			}},
		{store.KindResource, "resources/redis.yaml", func() any { return &store.Resource{} },
			validResource, []bad{
				{"wrong type", "version: 1\nname: redis\nsecrets:\n  - key: A\n    required: maybe\n", "resources/redis.yaml:5: secrets[0].required: got string, want boolean"},
				{"missing required", "version: 1\nname: redis\nsecrets:\n  - required: true\n", "resources/redis.yaml:4: secrets[0]: missing property 'key'"},
				{"unknown enum value", "version: 1\nname: redis\nsecrets:\n  - key: A\n    classification: secretish\n", "resources/redis.yaml:5: secrets[0].classification: value must be one of 'infrastructure', 'service', 'user'"},
				{"unknown property", "version: 1\nname: redis\nsecrets:\n  - key: A\n    kee: B\n", "resources/redis.yaml:4: secrets[0]: additional properties 'kee' not allowed"},
			}},
		{store.KindScenario, "scenarios/s.yaml", func() any { return &store.Scenario{} },
			"version: 1\nname: s\nresources:\n  - name: redis\n", []bad{
				{"wrong type", "version: 1\nname: s\nresources: redis\n", "scenarios/s.yaml:3: resources: got string, want array"},
				{"missing required", "version: 1\nresources: []\n", "scenarios/s.yaml:1: missing property 'name'"},
				{"unknown enum value", "version: 1\nname: s\noverrides:\n  redis/A:\n    desktop:\n      strategy: hide\n", "scenarios/s.yaml:6: overrides.redis/A.desktop.strategy: value must be one of"},
				{"unknown property", "version: 1\nname: s\nresources:\n  - name: redis\n    optionall: true\n", "scenarios/s.yaml:4: resources[0]: additional properties 'optionall' not allowed"},
			}},
		{store.KindVault, "vault/local.yaml", func() any { return &store.Vault{} },
			"version: 1\nscope: local\nvalues:\n  redis/A: x\n", []bad{
				{"wrong type", "version: 1\nscope: local\nvalues:\n  redis/A: 5\n", "vault/local.yaml:4: values.redis/A: got number, want string"},
				{"missing required", "version: 1\nvalues: {}\n", "vault/local.yaml:1: missing property 'scope'"},
				{"unknown enum value", "version: 2\nscope: local\n", "vault/local.yaml:1: version: value must be 1"},
				{"unknown property", "version: 1\nscope: local\nvalue: {}\n", "vault/local.yaml:1: additional properties 'value' not allowed"},
			}},
		{store.KindLedgerEvent, "deployments/s/d/e.yaml", func() any { return &store.LedgerEvent{} },
			ledgerEvent(""), []bad{
				{"wrong type", ledgerEvent("reason: [a]\n"), "deployments/s/d/e.yaml:9: reason: got array, want string"},
				{"missing required", "version: 1\nkind: ledger-event\n", "deployments/s/d/e.yaml:1: missing properties 'event', 'scenario', 'deployment', 'tier', 'plan_revision', 'time', 'secrets'"},
				{"unknown enum value", ledgerEvent("")[:len("version: 1\nkind: ledger-event\nevent: ")] + "deploy\n" + ledgerEvent("")[len("version: 1\nkind: ledger-event\nevent: issue\n"):], "deployments/s/d/e.yaml:3: event: value must be one of 'issue', 'rotate', 'revoke'"},
				{"unknown property", ledgerEvent("comment: hi\n"), "deployments/s/d/e.yaml:1: additional properties 'comment' not allowed"},
			}},
	}
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			require.NoError(t, store.DecodeDocument(k.file, []byte(k.valid), k.new()), "the valid document")
			for _, b := range k.bad {
				t.Run(b.name, func(t *testing.T) {
					err := store.DecodeDocument(k.file, []byte(b.doc), k.new())
					var de *store.DocumentError
					require.ErrorAs(t, err, &de)
					assert.Contains(t, err.Error(), b.want)
				})
			}
		})
	}
}

// ledgerEvent is a valid ledger event with extra appended at the top level.
func ledgerEvent(extra string) string {
	return "version: 1\nkind: ledger-event\nevent: issue\nscenario: s\ndeployment: d\ntier: tier-1-local\n" +
		"plan_revision: 335288f978ae69b8f7f6e835baa3adc9744fac2b\ntime: \"2026-11-28T13:04:11Z\"\n" + extra +
		"secrets:\n  - secret_id: s/A\n    fingerprint: hmac-sha256:91eca9d8935861569e08b071eaf54059a2f26fad4eadcb6446c64cd9b53189fa\n    status: active\n"
}
