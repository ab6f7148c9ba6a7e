package cli

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// canaryKey is a fingerprint key planted through the environment: it is a
// secret too and must never be printed or stored in clear.
const canaryKey = "c0ffee00c0ffee00c0ffee00c0ffee00deadbeefdeadbeefdeadbeefdeadbeef"

// TestLedgerCanary runs the whole ledger flow (issue, render, rotate, revoke,
// audit, deployments, rotation-due) and checks that neither the planted
// fingerprint key nor any value the ledger issued (read back from the
// rendered bundles) appears in any output, commit message or git object.
func TestLedgerCanary(t *testing.T) {
	dir := storetest.NewExample(t)
	t.Setenv("SECRETSCTL_FINGERPRINT_KEY", canaryKey)
	tmp := t.TempDir()
	var output bytes.Buffer
	run := func(args ...string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := Main(append([]string{"secretsctl", "--store", dir}, args...), strings.NewReader(""), &out, &errOut)
		output.Write(out.Bytes())
		output.Write(errOut.Bytes())
		require.Contains(t, []int{ExitOK, ExitCheckFailed}, code, "%v: %s", args, errOut.String())
	}
	out := func(name string) string { return filepath.Join(tmp, name) }
	run("issue", "-s", "picker-wheel", "-t", "saas", "-d", "acme", "--out", out("a"))
	run("issue", "-s", "picker-wheel", "-t", "saas", "-d", "acme", "--out", out("b"), "--format", "json")
	run("render", "-d", "acme", "--out", out("c"))
	run("rotate", "-d", "acme")
	run("render", "-d", "acme", "--out", out("d"))
	run("audit", "--secret", "picker-wheel/SESSION_SECRET")
	run("audit", "--deployment", "acme", "--format", "json")
	run("revoke", "-d", "acme", "--reason", "canary")
	run("audit")
	run("deployments", "--format", "json")
	t.Setenv(nowEnv, "2030-01-01T00:00:00Z")
	run("issue", "-s", "picker-wheel", "-t", "saas", "-d", "second", "--out", out("e"))
	run("rotation-due", "--format", "sarif")

	canaries := []string{canaryKey}
	for _, d := range []string{"a", "d", "e"} {
		canaries = append(canaries, storetest.EnvValues(t, filepath.Join(out(d), ".env"))...)
	}
	require.GreaterOrEqual(t, len(canaries), 1+3*4, "every bundle holds the example's four bundle-time values")

	messages := storetest.Git(t, dir, "log", "--format=%B")
	objects := allObjects(t, dir)
	for _, c := range canaries {
		assert.NotContains(t, output.String(), c, "a value reached stdout or stderr")
		assert.NotContains(t, messages, c, "a value reached a commit message")
		assert.False(t, bytes.Contains(objects, []byte(c)), "a value is in a git object in clear")
	}
	assert.Contains(t, output.String(), "hmac-sha256:", "audit shows fingerprints")
}

// allObjects returns the decompressed content of every object in the
// repository, loose or packed.
func allObjects(t *testing.T, dir string) []byte {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
	cmd.Dir = dir
	b, err := cmd.Output()
	require.NoError(t, err)
	return b
}
