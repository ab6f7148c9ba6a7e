package lint

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/sarif/sariftest"
)

// TestSARIFShape checks the parts of SARIF 2.1.0 that code-scanning tools
// read: version, one run, a rule per rule id, a result per finding with
// level, message, file URI relative to the repository and line.
func TestSARIFShape(t *testing.T) {
	rep := &Report{Findings: []Finding{
		{Rule: "missing-strategy", Severity: Error, File: "resources/n8n.yaml", Line: 140, Secret: "n8n/WEBHOOK_URL", Message: "no strategy", Hint: "add one"},
		{Rule: "unsealed-document", Severity: Warning, File: "secretsctl.yaml", Message: "unsealed"},
		{Rule: "missing-strategy", Severity: Error, File: "resources/redis.yaml", Line: 3, Message: "no strategy"},
	}}
	raw, err := json.Marshal(rep.SARIF("infra/secrets"))
	require.NoError(t, err)
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct{ ID string }
				}
			}
			Results []struct {
				RuleID    string
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           *struct{ StartLine int }
					}
				}
			}
		}
	}
	sariftest.Validate(t, raw)
	require.NoError(t, json.Unmarshal(raw, &log))
	assert.Equal(t, "2.1.0", log.Version)
	require.Len(t, log.Runs, 1)
	run := log.Runs[0]
	assert.Equal(t, "secretsctl", run.Tool.Driver.Name)
	require.Len(t, run.Tool.Driver.Rules, 2, "one rule per rule id")
	require.Len(t, run.Results, 3)
	first := run.Results[0]
	assert.Equal(t, "missing-strategy", first.RuleID)
	assert.Equal(t, "error", first.Level)
	assert.Contains(t, first.Message.Text, "n8n/WEBHOOK_URL")
	loc := first.Locations[0].PhysicalLocation
	assert.Equal(t, "infra/secrets/resources/n8n.yaml", loc.ArtifactLocation.URI)
	require.NotNil(t, loc.Region)
	assert.Equal(t, 140, loc.Region.StartLine)
	assert.Equal(t, "warning", run.Results[1].Level)
	assert.Nil(t, run.Results[1].Locations[0].PhysicalLocation.Region, "no region without a line")
}
