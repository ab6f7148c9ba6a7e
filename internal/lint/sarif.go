package lint

import (
	"slices"
	"strings"
)

// SARIF 2.1.0, the subset code-scanning tools read: one run, its rules, and
// one result per finding with the file and line.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	Help             sarifMessage `json:"help"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// SARIF renders the report as a SARIF 2.1.0 log. storeDir is the store's
// path relative to the repository root ("" at the root), so that file URIs
// resolve from the repository as code-scanning tools expect.
func (r *Report) SARIF(storeDir string) any {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "secretsctl",
		InformationURI: "https://github.com/secretsctl/secretsctl", Rules: []sarifRule{}}}, Results: []sarifResult{}}
	var ids []string
	for _, f := range r.Findings {
		if !slices.Contains(ids, f.Rule) {
			ids = append(ids, f.Rule)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: f.Rule,
				ShortDescription: sarifMessage{Text: strings.ReplaceAll(f.Rule, "-", " ")},
				Help:             sarifMessage{Text: orText(f.Hint, "see docs/store-format.md")}})
		}
		loc := sarifPhysical{ArtifactLocation: sarifArtifact{URI: joinURI(storeDir, f.File)}}
		if f.Line > 0 {
			loc.Region = &sarifRegion{StartLine: f.Line}
		}
		level := "error"
		if f.Severity == Warning {
			level = "warning"
		}
		run.Results = append(run.Results, sarifResult{RuleID: f.Rule, Level: level,
			Message: sarifMessage{Text: f.String()}, Locations: []sarifLocation{{PhysicalLocation: loc}}})
	}
	return sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
}

func joinURI(dir, file string) string {
	if dir == "" {
		return file
	}
	return dir + "/" + file
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
