package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// writeManifest prints one manifest in the chosen format.
func writeManifest(e *env, format string, m *store.Manifest) error {
	switch format {
	case "table":
		return manifestTable(e, m)
	case "yaml":
		return writeYAML(e, m)
	}
	return writeJSON(e, m)
}

// manifestWriter streams several manifests: a JSON array, a YAML sequence
// of documents, or a summary table with one line per scenario × tier.
type manifestWriter struct {
	e      *env
	format string
	n      int
	tw     *tabwriter.Writer
}

func newManifestWriter(e *env, format string) *manifestWriter {
	w := &manifestWriter{e: e, format: format}
	if format == "table" {
		w.tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w.tw, "SCENARIO\tTIER\tSECRETS\tSTRATEGIZED\tBUNDLE\tBLOCKING")
	}
	return w
}

func (w *manifestWriter) write(m *store.Manifest) error {
	defer func() { w.n++ }()
	switch w.format {
	case "table":
		_, err := fmt.Fprintf(w.tw, "%s\t%s\t%d\t%d\t%d\t%d\n", m.Scenario, m.TierID, m.Summary.TotalSecrets,
			m.Summary.StrategizedSecrets, len(m.BundleSecrets), len(m.Summary.BlockingSecrets))
		return err
	case "yaml":
		if w.n > 0 {
			fmt.Fprintln(w.e.stdout, "---")
		}
		return writeYAML(w.e, m)
	}
	sep := ",\n"
	if w.n == 0 {
		sep = "[\n"
	}
	data, err := plan.Encode(m)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w.e.stdout, sep); err != nil {
		return err
	}
	// Each element is indented one level inside the array. JSON strings
	// escape newlines, so every raw newline is between tokens.
	data = bytes.ReplaceAll(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"), []byte("\n  "))
	_, err = w.e.stdout.Write(append([]byte("  "), data...))
	return err
}

// blockingIDs are the summary's blocking secrets as secret ids
// (resource/KEY), the form every other output uses; the manifest keeps
// Vrooli's resource:KEY.
func blockingIDs(sum store.Summary) []string {
	ids := make([]string, len(sum.BlockingSecrets))
	for i, b := range sum.BlockingSecrets {
		owner, key, _ := strings.Cut(b, ":")
		ids[i] = owner + "/" + key
	}
	return ids
}

func (w *manifestWriter) close() error {
	switch w.format {
	case "table":
		return w.tw.Flush()
	case "yaml":
		return nil
	}
	if w.n == 0 {
		_, err := io.WriteString(w.e.stdout, "[]\n")
		return err
	}
	_, err := io.WriteString(w.e.stdout, "\n]\n")
	return err
}

func writeJSON(e *env, v any) error {
	data, err := plan.Encode(v)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(data)
	return err
}

func writeYAML(e *env, v any) error {
	data, err := store.EncodeYAML(v)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(data)
	return err
}

// manifestTable prints a manifest for people: one line per secret, blocking
// secrets first, then the summary.
func manifestTable(e *env, m *store.Manifest) error {
	fmt.Fprintf(e.stdout, "%s on %s  (revision %s, integrity %s)\n\n", m.Scenario, m.TierID, short(m.Revision), m.Integrity)
	blocked := map[string]string{}
	for _, b := range m.Summary.BlockingSecretDetails {
		blocked[store.SecretID(b.Resource, b.Secret)] = b.Reason
	}
	inBundle := map[string]string{}
	for _, b := range m.BundleSecrets {
		inBundle[b.ID] = b.Class
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SECRET\tCLASS\tSTRATEGY\tSOURCE\tTARGET\tBUNDLE")
	row := func(s store.ManifestSecret) {
		bundle := inBundle[s.ID]
		if reason, ok := blocked[s.ID]; ok {
			bundle = "BLOCKING: " + reason
		} else if bundle == "" {
			bundle = "-"
		}
		t := s.Targets[0]
		target := t.Type + ":" + t.Name + t.Path
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Classification, s.HandlingStrategy, s.StrategySource, target, bundle)
	}
	for _, s := range m.Secrets {
		if _, ok := blocked[s.ID]; ok {
			row(s)
		}
	}
	for _, s := range m.Secrets {
		if _, ok := blocked[s.ID]; !ok {
			row(s)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	sum := m.Summary
	fmt.Fprintf(e.stdout, "\n%d secrets, %d strategized, %d in the bundle, %d blocking", sum.TotalSecrets,
		sum.StrategizedSecrets, len(m.BundleSecrets), len(sum.BlockingSecrets))
	if len(sum.BlockingSecrets) > 0 {
		fmt.Fprintf(e.stdout, ": %s", strings.Join(blockingIDs(sum), ", "))
	}
	fmt.Fprintln(e.stdout)
	return nil
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
