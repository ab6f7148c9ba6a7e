package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// genledger builds internal/cmds/genledger, which writes real ledger
// history in bulk.
func genledger(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "genledger")
	build := exec.Command("go", "build", "-o", bin, "../../internal/cmds/genledger")
	build.Env = append(build.Environ(), goCacheEnv...)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build genledger: %s", out)
	return bin
}

// secretsctlOut runs the binary and returns its stdout; a failure fails
// the test.
func secretsctlOut(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	out, err := ledgerCmd(bin, dir, args...).Output()
	var stderr []byte
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = ee.Stderr
	}
	require.NoError(t, err, "secretsctl %s: %s", strings.Join(args, " "), stderr)
	return string(out)
}

// TestLedgerMigrate: a store with 100 events under deployments/ on main
// (as stores kept them before the ledger had a branch) is migrated in one
// commit on the ledger branch and one on main; every reader's output for
// the same policy revision is byte-identical before and after, and writing
// works only after.
func TestLedgerMigrate(t *testing.T) {
	bin := secretsctlBinary(t)
	dir := storetest.NewExample(t)
	gen := exec.Command(genledger(t), "-store", dir, "-events", "100", "-deployments", "20", "-legacy")
	out, err := gen.CombinedOutput()
	require.NoError(t, err, "genledger: %s", out)
	head := storetest.Git(t, dir, "rev-parse", "HEAD")
	folder := storetest.Git(t, dir, "rev-parse", "HEAD:deployments")
	reads := [][]string{
		{"audit", "--format", "json"},
		{"audit", "--secret", "picker-wheel/SESSION_SECRET", "--format", "json"},
		{"audit", "--deployment", "gen-00007"},
		{"deployments", "--format", "json"},
	}
	before := make([]string, len(reads))
	for i, args := range reads {
		before[i] = secretsctlOut(t, bin, dir, args...)
	}
	require.Equal(t, 100, strings.Count(before[0], `"action": `), "the audit covers the 100 events")

	// Writing to a ledger still on the policy branch is refused.
	b, err := ledgerCmd(bin, dir, issueArgs(t.TempDir(), "early")...).CombinedOutput()
	require.Error(t, err)
	assert.Equal(t, 2, err.(*exec.ExitError).ExitCode())
	assert.Contains(t, string(b), "secretsctl ledger migrate")

	migrated := secretsctlOut(t, bin, dir, "ledger", "migrate")
	assert.Contains(t, migrated, "moved 101 files of deployments/ to branch secretsctl/ledger")
	assert.Equal(t, head, storetest.Git(t, dir, "rev-parse", "HEAD~1"), "one removal commit on main")
	assert.Equal(t, "", storetest.Git(t, dir, "ls-tree", "HEAD", "deployments"))
	assert.NoDirExists(t, filepath.Join(dir, "deployments"))
	assert.Equal(t, "", storetest.Git(t, dir, "status", "--porcelain"))
	assert.Equal(t, head, storetest.Git(t, dir, "rev-parse", "secretsctl/ledger~1"), "one commit on the ledger branch, a child of the old head")
	assert.Equal(t, folder, storetest.Git(t, dir, "rev-parse", "secretsctl/ledger:deployments"), "the same tree: every event keeps its file")
	assert.Equal(t, "deployments", storetest.Git(t, dir, "ls-tree", "--name-only", "secretsctl/ledger"))
	fsck(t, dir)

	for i, args := range reads {
		after := secretsctlOut(t, bin, dir, append(args, "--rev", head)...)
		assert.Equal(t, before[i], after, "secretsctl %s differs after the migration", strings.Join(args, " "))
	}
	assert.Contains(t, secretsctlOut(t, bin, dir, "ledger", "migrate"), "nothing to migrate")

	// Writing works now, on the ledger branch.
	secretsctlOut(t, bin, dir, issueArgs(t.TempDir(), "after")...)
	assert.Equal(t, "102", storetest.Git(t, dir, "rev-list", "--count", "--first-parent", "secretsctl/ledger", "^"+head+"~100"))
	assert.Equal(t, "", storetest.Git(t, dir, "status", "--porcelain"))
}
