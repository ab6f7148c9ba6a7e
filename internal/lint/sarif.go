package lint

import "github.com/secretsctl/secretsctl/internal/sarif"

// SARIF renders the report as a SARIF 2.1.0 log. storeDir is the store's
// path relative to the repository root ("" at the root), so that file URIs
// resolve from the repository as code-scanning tools expect.
func (r *Report) SARIF(storeDir string) any {
	findings := make([]sarif.Finding, 0, len(r.Findings))
	for _, f := range r.Findings {
		level := sarif.Error
		if f.Severity == Warning {
			level = sarif.Warning
		}
		sf := sarif.Finding{Rule: f.Rule, Level: level, Message: f.String(), Help: f.Hint,
			URI: joinURI(storeDir, f.File), Line: f.Line}
		if f.Secret != "" {
			sf.Properties = map[string]any{"secret": f.Secret}
		}
		findings = append(findings, sf)
	}
	return sarif.New("secretsctl", "https://github.com/secretsctl/secretsctl", findings)
}

func joinURI(dir, file string) string {
	if dir == "" || file == "" {
		return file
	}
	return dir + "/" + file
}
