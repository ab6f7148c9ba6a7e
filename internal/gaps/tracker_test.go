package gaps_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/secretsctl/secretsctl/internal/gaps"
)

func TestTrackerBase(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8090":                      "http://127.0.0.1:8090",
		"http://127.0.0.1:8090/":                     "http://127.0.0.1:8090",
		"http://127.0.0.1:8090/api/v1":               "http://127.0.0.1:8090",
		"http://127.0.0.1:8090/api/v1/issues":        "http://127.0.0.1:8090",
		"https://tracker.example.com/api/v1/issues/": "https://tracker.example.com",
		"https://example.com/tracker":                "https://example.com/tracker",
	} {
		assert.Equal(t, want, gaps.TrackerBase(in), in)
	}
}

func TestNewIssue(t *testing.T) {
	task := gaps.Task{Scenario: "kiosk", Resource: "kiosk", Tier: "tier-4-saas", SecretID: "kiosk/PIN", DedupKey: "k", File: "scenarios/kiosk.yaml"}
	issue := gaps.NewIssue(task, "")
	assert.Equal(t, "medium", issue.Priority)
	assert.Equal(t, []gaps.Target{{Type: "scenario", ID: "kiosk"}}, issue.Targets, "a scenario's own secret targets the scenario only")
	assert.Equal(t, "k", issue.MetadataExtra[gaps.KeyField])
	assert.Equal(t, []string{"scenarios/kiosk.yaml"}, issue.AffectedFiles)
	task.EndUserTier = true
	inFolder := gaps.NewIssue(task, "secrets")
	assert.Equal(t, "high", inFolder.Priority)
	assert.Equal(t, []string{"secrets/scenarios/kiosk.yaml"}, inFolder.AffectedFiles, "a repository path")
}
