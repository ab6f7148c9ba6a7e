package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/cli"
	"github.com/secretsctl/secretsctl/internal/storetest"
)

// TestVrooliSuggestAcceptance runs issue 18's acceptance of suggest on a
// real Vrooli checkout, opt-in: SECRETSCTL_VROOLI=DIR (make vrooli-check
// sets it to ../shared/fixtures/vrooli; the fixture is read, never
// copied). After import and suggest --write, lint finds no
// infrastructure secret on an end-user tier and no gap, and every written
// value carries its rule.
func TestVrooliSuggestAcceptance(t *testing.T) {
	src := os.Getenv("SECRETSCTL_VROOLI")
	if src == "" {
		t.Skip("set SECRETSCTL_VROOLI to a Vrooli checkout (make vrooli-check does)")
	}
	src, err := filepath.Abs(src)
	require.NoError(t, err)
	storetest.Isolate(t)
	dir := filepath.Join(t.TempDir(), "store")
	run := func(want int, args ...string) string {
		var out, errb bytes.Buffer
		code := cli.Main(append([]string{"secretsctl", "--store", dir}, args...), strings.NewReader(""), &out, &errb)
		require.Equal(t, want, code, "secretsctl %s: %s", strings.Join(args, " "), errb.String())
		return out.String()
	}
	var out, errb bytes.Buffer
	require.Zero(t, cli.Main([]string{"secretsctl", "init", dir}, strings.NewReader(""), &out, &errb), errb.String())
	run(0, "import", "vrooli", src)

	var proposals struct {
		Proposals []struct{ ID, Rule string } `json:"proposals"`
	}
	require.NoError(t, json.Unmarshal([]byte(run(0, "suggest", "--format", "json")), &proposals))
	require.NotEmpty(t, proposals.Proposals)
	run(0, "suggest", "--write")

	var lint struct {
		Findings []struct{ Rule, Secret, Tier, Message string } `json:"findings"`
	}
	require.NoError(t, json.Unmarshal([]byte(run(0, "lint", "--format", "json")), &lint))
	byRule := map[string]int{}
	for _, f := range lint.Findings {
		byRule[f.Rule]++
		assert.NotEqual(t, "infrastructure-on-end-user-tier", f.Rule, "%s on %s: %s", f.Secret, f.Tier, f.Message)
	}
	assert.Equal(t, len(proposals.Proposals), byRule["unreviewed-suggestion"], "one mark, with its rule, per written value")
	for _, p := range proposals.Proposals {
		assert.NotEmpty(t, p.Rule, p.ID)
	}
	t.Logf("%d proposals written; lint findings by rule: %v", len(proposals.Proposals), byRule)
}
