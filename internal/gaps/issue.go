package gaps

import "path"

// KeyField is the metadata_extra field of a tracker issue that holds the
// gap's dedup key: how secretsctl recognises the issues it filed.
const KeyField = "secretsctl_gap_key"

// Target is a scenario or resource an app-issue-tracker issue applies to.
type Target struct {
	Type string `json:"type"` // scenario or resource
	ID   string `json:"id"`
}

// CreateIssueRequest is the part of the app-issue-tracker's
// CreateIssueRequest secretsctl fills. The tracker refuses unknown fields,
// so every field here is one of its own.
type CreateIssueRequest struct {
	Title         string            `json:"title"`
	Description   string            `json:"description"`
	Type          string            `json:"type"`
	Priority      string            `json:"priority"`
	Targets       []Target          `json:"targets"`
	Tags          []string          `json:"tags"`
	Labels        map[string]string `json:"labels"`
	MetadataExtra map[string]string `json:"metadata_extra"`
	AffectedFiles []string          `json:"affected_files"`
	ReporterName  string            `json:"reporter_name"`
}

// NewIssue is the tracker issue for a gap: a task, high priority when the
// tier ships to end users (what they receive is blocked) and medium
// otherwise, targeting the scenario and the resource declaring the secret.
// repoDir is the store's directory in its repository ("" at the root), so
// that affected_files holds a repository path.
func NewIssue(t Task, repoDir string) CreateIssueRequest {
	priority := "medium"
	if t.EndUserTier {
		priority = "high"
	}
	targets := []Target{{Type: "scenario", ID: t.Scenario}}
	if t.Resource != "" && t.Resource != t.Scenario {
		targets = append(targets, Target{Type: "resource", ID: t.Resource})
	}
	return CreateIssueRequest{
		Title:       t.Title,
		Description: t.Body,
		Type:        "task",
		Priority:    priority,
		Targets:     targets,
		Tags: []string{"secretsctl", "missing-strategy", "tier:" + t.Tier,
			"classification:" + t.Classification, "secret:" + t.SecretID},
		Labels: map[string]string{"tier": t.Tier, "classification": t.Classification,
			"secret_id": t.SecretID, "scenario": t.Scenario},
		MetadataExtra: map[string]string{KeyField: t.DedupKey, "secretsctl_file": t.File},
		AffectedFiles: []string{path.Join(repoDir, t.File)},
		ReporterName:  "secretsctl",
	}
}
