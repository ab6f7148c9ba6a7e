// Package sarif writes SARIF 2.1.0 logs, the format code-scanning tools
// (GitHub code scanning, GitLab, SonarQube) ingest. It covers the subset those
// tools read: one run, the tool's rules, and one result per finding with a
// level, a message and a file location. lint, rotation-due and verify-bundle
// all report through it, so their logs look alike.
package sarif

import "slices"

// SchemaURI is the $schema every log carries.
const SchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

// Levels of a result.
const (
	Error   = "error"
	Warning = "warning"
	Note    = "note"
)

// Finding is one result to report.
type Finding struct {
	Rule    string // rule id, such as "missing-strategy"
	Level   string // Error, Warning or Note
	Message string // one line, never a secret value
	Help    string // how to fix it; becomes the rule's help text
	URI     string // file, relative to the repository root; may be empty
	Line    int    // 1-based; 0 when the file has no line for it
	// Properties are extra facts for machines (secret id, encoding...).
	Properties map[string]any
}

// Log is a SARIF 2.1.0 log; encode it with encoding/json.
type Log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []Run  `json:"runs"`
}

// Run is one tool invocation.
type Run struct {
	Tool    Tool     `json:"tool"`
	Results []Result `json:"results"`
}

// Tool names the tool and its rules.
type Tool struct {
	Driver Driver `json:"driver"`
}

// Driver is the tool's main component.
type Driver struct {
	Name           string `json:"name"`
	InformationURI string `json:"informationUri,omitempty"`
	Rules          []Rule `json:"rules"`
}

// Rule describes one rule id.
type Rule struct {
	ID               string  `json:"id"`
	ShortDescription Message `json:"shortDescription"`
	Help             Message `json:"help"`
}

// Message is SARIF's text container.
type Message struct {
	Text string `json:"text"`
}

// Result is one finding.
type Result struct {
	RuleID     string         `json:"ruleId"`
	Level      string         `json:"level"`
	Message    Message        `json:"message"`
	Locations  []Location     `json:"locations,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
}

// Location is where a result is.
type Location struct {
	PhysicalLocation PhysicalLocation `json:"physicalLocation"`
}

// PhysicalLocation is a file and, when known, a region of it.
type PhysicalLocation struct {
	ArtifactLocation ArtifactLocation `json:"artifactLocation"`
	Region           *Region          `json:"region,omitempty"`
}

// ArtifactLocation names a file by URI.
type ArtifactLocation struct {
	URI string `json:"uri"`
}

// Region is a line of a file.
type Region struct {
	StartLine int `json:"startLine"`
}

// New builds a one-run log for tool from findings, in their order. Rules are
// listed once each, in order of first use; a rule's help is the first
// non-empty Help given for it.
func New(tool, infoURI string, findings []Finding) *Log {
	run := Run{Tool: Tool{Driver: Driver{Name: tool, InformationURI: infoURI, Rules: []Rule{}}}, Results: []Result{}}
	var ids []string
	for _, f := range findings {
		if i := slices.Index(ids, f.Rule); i < 0 {
			ids = append(ids, f.Rule)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, Rule{ID: f.Rule,
				ShortDescription: Message{Text: ruleText(f.Rule)},
				Help:             Message{Text: f.Help}})
		} else if run.Tool.Driver.Rules[i].Help.Text == "" {
			run.Tool.Driver.Rules[i].Help.Text = f.Help
		}
		res := Result{RuleID: f.Rule, Level: f.Level, Message: Message{Text: f.Message}, Properties: f.Properties}
		if res.Level == "" {
			res.Level = Error
		}
		if f.URI != "" {
			loc := PhysicalLocation{ArtifactLocation: ArtifactLocation{URI: f.URI}}
			if f.Line > 0 {
				loc.Region = &Region{StartLine: f.Line}
			}
			res.Locations = []Location{{PhysicalLocation: loc}}
		}
		run.Results = append(run.Results, res)
	}
	for i := range run.Tool.Driver.Rules {
		if run.Tool.Driver.Rules[i].Help.Text == "" {
			run.Tool.Driver.Rules[i].Help.Text = "see the secretsctl documentation"
		}
	}
	return &Log{Schema: SchemaURI, Version: "2.1.0", Runs: []Run{run}}
}

// ruleText turns "missing-strategy" into "missing strategy".
func ruleText(id string) string {
	b := []byte(id)
	for i, c := range b {
		if c == '-' || c == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}
