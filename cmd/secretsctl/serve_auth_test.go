package main

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// test that `serve --remote` follows a private smart-HTTP remote (git
// http-backend with basic auth) with the token file named by
// SECRETSCTL_GIT_TOKEN_FILE, re-reads the file on every fetch, reports a
// refused token on /readyz naming the remote while serving the last good
// revision, and never shows the token in argv, /readyz, /metrics or its
// log.
func TestServeReplicaWithGitTokenFile(t *testing.T) {
	work := storetest.NewExample(t)
	token, wrong := "canary-"+rand.Text(), "canary-"+rand.Text()
	storetest.WatchArgv(t, token)
	storetest.WatchArgv(t, wrong)
	git := storetest.NewGitServer(t, token)
	remote := git.Publish(t, work, "store.git")
	tokenFile := filepath.Join(t.TempDir(), "git-token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(token+"\n"), 0o600))
	t.Setenv("SECRETSCTL_GIT_TOKEN_FILE", tokenFile)

	srv := startServe(t, "--remote", remote, "--pull-interval", "1s")
	require.Eventually(t, func() bool { st, _ := readiness(t, srv); return st == http.StatusOK }, 15*time.Second, 50*time.Millisecond,
		"the replica syncs with the token\n%s", srv.stderr)
	_, h := readiness(t, srv)
	first := storetest.Git(t, work, "rev-parse", "HEAD")
	assert.Equal(t, first, h["revision"])

	require.NoError(t, os.WriteFile(tokenFile, []byte(wrong+"\n"), 0o600))
	require.Eventually(t, func() bool { _, h := readiness(t, srv); return h["last_error"] != nil }, 15*time.Second, 50*time.Millisecond,
		"the refused token is reported")
	status, h := readiness(t, srv)
	assert.Equal(t, http.StatusOK, status, "still serving its last good revision")
	assert.Equal(t, first, h["revision"])
	lastErr := fmt.Sprint(h["last_error"])
	assert.Contains(t, lastErr, remote, "names the remote")
	assert.Contains(t, lastErr, "authentication failed")
	assert.NotEmpty(t, h["last_error_at"], "and when")

	_, _, metrics := srv.get(t, "/metrics")
	for _, canary := range []string{token, wrong} {
		assert.NotContains(t, lastErr, canary)
		assert.NotContains(t, string(metrics), canary)
		assert.NotContains(t, srv.stderr.String(), canary)
	}

	storetest.Git(t, work, "commit", "-q", "--allow-empty", "-m", "after rotation")
	storetest.Git(t, work, "push", "-q", filepath.Join(git.Root, "store.git"), "main")
	require.NoError(t, os.WriteFile(tokenFile, []byte(token), 0o600))
	next := storetest.Git(t, work, "rev-parse", "HEAD")
	require.Eventually(t, func() bool { _, h := readiness(t, srv); return h["revision"] == next }, 15*time.Second, 50*time.Millisecond,
		"the rotated token file is read again")
}

// test that --git-token-file without --remote is a usage error.
func TestServeGitTokenFileNeedsRemote(t *testing.T) {
	storetest.Isolate(t)
	out, err := exec.Command(secretsctlBinary(t), "serve", "--git-token-file", "/nonexistent").CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, string(out), "--git-token-file needs --remote")
}

// test that `serve --remote ssh://…` follows a repository over a real sshd
// with --ssh-key and --known-hosts, and that with a known_hosts file
// lacking the server's key /readyz reports the refusal and stays 503.
func TestServeReplicaOverSSH(t *testing.T) {
	work := storetest.NewExample(t)
	sshd := storetest.NewSSHServer(t)
	bare := filepath.Join(t.TempDir(), "store.git")
	storetest.Git(t, filepath.Dir(bare), "clone", "-q", "--bare", work, bare)

	srv := startServe(t, "--remote", sshd.URL(bare), "--pull-interval", "1s", "--ssh-key", sshd.KeyFile, "--known-hosts", sshd.KnownHosts)
	require.Eventually(t, func() bool { st, _ := readiness(t, srv); return st == http.StatusOK }, 15*time.Second, 50*time.Millisecond,
		"the replica syncs over SSH\n%s", srv.stderr)
	_, h := readiness(t, srv)
	assert.Equal(t, storetest.Git(t, work, "rev-parse", "HEAD"), h["revision"])

	empty := filepath.Join(t.TempDir(), "known_hosts")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	t.Setenv("SECRETSCTL_SSH_KEY_FILE", sshd.KeyFile)
	t.Setenv("SECRETSCTL_SSH_KNOWN_HOSTS", empty)
	refused := startServe(t, "--remote", sshd.URL(bare), "--pull-interval", "1s")
	require.Eventually(t, func() bool { _, h := readiness(t, refused); return h["last_error"] != nil }, 15*time.Second, 50*time.Millisecond)
	status, h := readiness(t, refused)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, fmt.Sprint(h["last_error"]), "key is unknown")
}
