package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/lint"
	"github.com/secretsctl/secretsctl/internal/plan"
	proposal "github.com/secretsctl/secretsctl/internal/suggest"
)

// TestSuggestAfterVrooliImport is issue 18's acceptance of suggest on the
// project's own Vrooli fixture, imported with its database from a real
// PostgreSQL: after suggest --write, lint finds no infrastructure secret on
// an end-user tier, and every suggested value carries its rule.
func TestSuggestAfterVrooliImport(t *testing.T) {
	url := vrooliDB(t, filepath.Join(vrooliFixture, "schema.sql"), filepath.Join(vrooliFixture, "seed.sql"))
	storeDir := newImportStore(t)
	fixture, err := filepath.Abs(vrooliFixture)
	require.NoError(t, err)
	importVrooli(t, storeDir, fixture, url, false)
	assertSuggestAcceptance(t, storeDir)
}

// TestSuggestVrooliRealFixture is the same on a real Vrooli checkout;
// make vrooli-check sets VROOLI_FIXTURE to ../shared/fixtures/vrooli.
func TestSuggestVrooliRealFixture(t *testing.T) {
	dir := os.Getenv("VROOLI_FIXTURE")
	if dir == "" {
		t.Skip("VROOLI_FIXTURE is not set: make vrooli-check runs this test on ../shared/fixtures/vrooli")
	}
	sql := filepath.Join(dir, "scenarios", "secrets-manager", "initialization", "storage", "postgres")
	url := vrooliDB(t, filepath.Join(sql, "schema.sql"), filepath.Join(sql, "seed.sql"))
	storeDir := newImportStore(t)
	importVrooli(t, storeDir, dir, url, false)
	assertSuggestAcceptance(t, storeDir)
}

func assertSuggestAcceptance(t *testing.T, storeDir string) {
	t.Helper()
	var rep proposal.Report
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, storeDir, "", "suggest", "--format", "json")), &rep))
	require.NotEmpty(t, rep.Proposals, "an import leaves gaps to suggest")
	mustRun(t, storeDir, "", "suggest", "--write")

	var out, errOut bytes.Buffer
	code := Main([]string{"secretsctl", "--store", storeDir, "lint", "--format", "json"}, strings.NewReader(""), &out, &errOut)
	require.Contains(t, []int{ExitOK, ExitCheckFailed}, code, errOut.String())
	var lr lint.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &lr))
	byRule := map[string]int{}
	for _, f := range lr.Findings {
		byRule[f.Rule]++
		assert.NotEqual(t, plan.CodeInfrastructureEndUser, f.Rule, "%s on %s (%s): %s", f.Secret, f.Tier, f.File, f.Message)
	}
	assert.Zero(t, byRule[plan.CodeMissingClass]+byRule[plan.CodeMissingStrategy], "no gap is left: %v", byRule)
	assert.Equal(t, len(rep.Proposals), byRule[lint.RuleSuggestion], "one unreviewed mark per written value")

	marks, err := proposal.Marks(snapshot(t, storeDir))
	require.NoError(t, err)
	assert.Len(t, marks, len(rep.Proposals))
	for _, m := range marks {
		assert.NotEmpty(t, m.Rule, m.ID)
	}
	t.Logf("%d proposals by rule %v; lint findings by rule %v", len(rep.Proposals), rep.Counts(), byRule)
}
