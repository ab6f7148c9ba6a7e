package prompt

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/internal/storetest"
)

// Canaries: values typed in tests that must never show up in any output.
const (
	canaryKey     = "sk-or-v1-" + "c4a2a7c4a2a7c4a2a7c4a2a7c4a2a7c4a2a7c4a2a7c4a2a7c4a2a7c4a2a7c4a2"
	canaryInvalid = "sk-or-v1-CANARY-INVALID-7c1d"
)

// agentInbox is the prompt spec of the example store's agent-inbox on the
// desktop tier: three optional prompts and the required OpenRouter key
// (pattern ^sk-or-v1-[a-f0-9]{64}$), in that order.
func agentInbox(t *testing.T) *Spec {
	t.Helper()
	m, err := plan.ForSnapshot(storetest.ExampleSnapshot(t), "agent-inbox", "desktop")
	require.NoError(t, err)
	spec, err := FromManifest(m)
	require.NoError(t, err)
	require.Len(t, spec.Prompts, 4)
	require.Equal(t, "openrouter/OPENROUTER_API_KEY", spec.Prompts[3].ID)
	return spec
}

// artifactDir is where tests leave files for people to look at:
// $SECRETSCTL_ARTIFACTS, else testdata/artifacts at the module root
// (ignored by git).
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SECRETSCTL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(storetest.Root(), "testdata", "artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// requireTool finds an external program; missing, it skips the test, or
// fails it under CI.
func requireTool(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: scripts/test-deps.sh installs it", names[0])
	}
	t.Skipf("%s is not installed (scripts/test-deps.sh installs it)", names[0])
	return ""
}

func fmtS(format string, v any) string { return fmt.Sprintf(format, v) }
