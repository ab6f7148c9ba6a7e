package cli

import (
	"fmt"

	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/internal/sarif"
	"github.com/secretsctl/secretsctl/store"
)

// bundleReport is verify-bundle's JSON output.
type bundleReport struct {
	Scenario string `json:"scenario"`
	Tier     string `json:"tier"`
	Revision string `json:"revision"`
	// ScanSet says how many values were looked for, from where.
	ScanSet scanSummary `json:"scan_set"`
	*bundlescan.Report
}

func writeBundleReport(e *env, opts verifyBundleOptions, m *store.Manifest, rep *bundlescan.Report, set scanSummary) error {
	switch opts.Format {
	case "json":
		return writeJSON(e, bundleReport{Scenario: m.Scenario, Tier: m.TierID, Revision: m.Revision, ScanSet: set, Report: rep})
	case "sarif":
		return writeJSON(e, bundleSARIF(rep))
	}
	for _, f := range rep.Findings {
		fmt.Fprintln(e.stdout, f.String())
	}
	for _, u := range rep.Unscannable {
		fmt.Fprintf(e.stdout, "unscannable: %s: %s\n", u.Secret, u.Reason)
	}
	fmt.Fprintln(e.stdout, set.line())
	verdict := "clean"
	if len(rep.Findings) > 0 {
		verdict = countNoun(len(rep.Findings), "finding")
	}
	fmt.Fprintf(e.stdout, "%s on %s: %s looked for in %s (%s): %s\n",
		m.Scenario, m.TierID, countNoun(rep.Secrets, "secret"), countNoun(rep.Files, "file"), humanBytes(rep.Bytes), verdict)
	return nil
}

// bundleSARIF reports each finding against the bundle's top-level file; the
// path inside archives, the offset and the encoding are in the message and
// the properties.
func bundleSARIF(rep *bundlescan.Report) *sarif.Log {
	var fs []sarif.Finding
	for _, f := range rep.Findings {
		top := bundlescan.TopFile(f.File)
		props := map[string]any{"secret": f.Secret, "offset": f.Offset, "path": f.File}
		if f.Deployment != "" {
			props["deployment"] = f.Deployment
		}
		help := "remove the value from the bundle: an infrastructure or stripped secret must never ship; rotate it if the bundle was published"
		if f.Rule == bundlescan.RuleName {
			props["name"] = f.Name
			help = "do not render a stripped secret into the bundle's env or config files; the tier's runtime supplies it"
		} else {
			props["encoding"] = string(f.Encoding)
		}
		line := 0
		if f.File == top {
			line = f.Line
		}
		fs = append(fs, sarif.Finding{Rule: f.Rule, Level: sarif.Error, Message: f.String(), Help: help,
			URI: top, Line: line, Properties: props})
	}
	return sarif.New("secretsctl", "https://github.com/secretsctl/secretsctl", fs)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}
