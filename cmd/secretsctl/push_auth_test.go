package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// test that `issue --remote origin --push` in a clone configured the way
// actions/checkout leaves it (the job's token in http.<url>.extraheader)
// fetches and pushes the ledger over smart HTTP with basic auth; that a
// wrong token fails naming the remote; and that neither token appears in
// any argv, stdout or stderr.
func TestIssuePushWithCheckoutCredentials(t *testing.T) {
	work := storetest.NewExample(t)
	token, wrong := "canary-"+rand.Text(), "canary-"+rand.Text()
	storetest.WatchArgv(t, token)
	storetest.WatchArgv(t, wrong)
	srv := storetest.NewGitServer(t, token)
	remote := srv.Publish(t, work, "store.git")
	storetest.Git(t, work, "remote", "add", "origin", remote)
	checkout := func(tok string) {
		basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + tok))
		cmd := exec.Command("git", "config", "--local", "http."+srv.URL+"/.extraheader", "AUTHORIZATION: basic "+basic)
		cmd.Dir = work
		require.NoError(t, cmd.Run())
	}
	issue := func(deployment string) (string, error) {
		cmd := exec.Command(secretsctlBinary(t), "issue", "-s", "picker-wheel", "-t", "saas", "-d", deployment,
			"--out", filepath.Join(t.TempDir(), "out"), "--remote", "origin", "--push")
		cmd.Dir = work
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		for _, canary := range []string{token, wrong} {
			assert.NotContains(t, out.String(), canary)
		}
		return out.String(), err
	}

	checkout(wrong)
	out, err := issue("acme")
	require.Error(t, err, "%s", out)
	assert.Contains(t, out, remote, "the error names the remote")
	assert.Contains(t, out, "authentication failed")

	checkout(token)
	out, err = issue("acme")
	require.NoError(t, err, "%s", out)
	assert.Contains(t, out, "issued picker-wheel/acme")
	assert.Equal(t, storetest.Git(t, work, "rev-parse", "secretsctl/ledger"),
		storetest.Git(t, filepath.Join(srv.Root, "store.git"), "rev-parse", "secretsctl/ledger"), "the ledger was pushed")
}
