package sarif_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/sarif"
	"github.com/secretsctl/secretsctl/internal/sarif/sariftest"
)

func TestLogValidatesAndListsRulesOnce(t *testing.T) {
	log := sarif.New("secretsctl", "https://github.com/secretsctl/secretsctl", []sarif.Finding{
		{Rule: "missing-strategy", Level: sarif.Error, Message: "n8n/WEBHOOK_URL has no strategy", URI: "store/resources/n8n.yaml", Line: 140},
		{Rule: "unsealed-document", Level: sarif.Warning, Message: "unsealed", Help: "run secretsctl seal", URI: "store/secretsctl.yaml"},
		{Rule: "missing-strategy", Message: "redis/PASSWORD has no strategy", Help: "add a strategy", Properties: map[string]any{"secret": "redis/PASSWORD"}},
	})
	raw, err := json.Marshal(log)
	require.NoError(t, err)
	sariftest.Validate(t, raw)

	run := log.Runs[0]
	require.Len(t, run.Tool.Driver.Rules, 2)
	assert.Equal(t, "missing strategy", run.Tool.Driver.Rules[0].ShortDescription.Text)
	assert.Equal(t, "add a strategy", run.Tool.Driver.Rules[0].Help.Text, "help taken from the first finding that has one")
	require.Len(t, run.Results, 3)
	assert.Equal(t, 140, run.Results[0].Locations[0].PhysicalLocation.Region.StartLine)
	assert.Nil(t, run.Results[1].Locations[0].PhysicalLocation.Region)
	assert.Equal(t, sarif.Error, run.Results[2].Level, "level defaults to error")
	assert.Empty(t, run.Results[2].Locations, "no location without a file")
}

// TestSchemaRejectsInvalidLogs proves the validator can fail: a log with a
// bad level, a wrong version or a missing message is refused.
func TestSchemaRejectsInvalidLogs(t *testing.T) {
	for name, raw := range map[string]string{
		"bad level":       `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"r","level":"fatal","message":{"text":"m"}}]}]}`,
		"wrong version":   `{"version":"2.0.0","runs":[]}`,
		"missing message": `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"r"}]}]}`,
		"no driver name":  `{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, sariftest.Check([]byte(raw)))
		})
	}
	assert.NoError(t, sariftest.Check([]byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[]}]}`)))
}
