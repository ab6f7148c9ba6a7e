package store_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// canaryToken is a fresh token a test hunts for in argv, output and errors.
func canaryToken() string { return "canary-" + rand.Text() }

// test that a replica follows a private smart-HTTP remote with
// --git-token-file, reads the file again on every fetch (a wrong token
// fails naming the remote without the token, keeping the revision it had;
// the right one recovers) and never puts the token in any argv.
func TestReplicaFollowsHTTPSWithTokenFile(t *testing.T) {
	work := storetest.NewExample(t)
	token := canaryToken()
	storetest.WatchArgv(t, token)
	srv := storetest.NewGitServer(t, token)
	remote := srv.Publish(t, work, "store.git")
	tokenFile := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(token+"\n"), 0o600))
	ctx := context.Background()

	rep, err := store.OpenReplica(remote, filepath.Join(t.TempDir(), "replica"), store.Options{GitTokenFile: tokenFile})
	require.NoError(t, err)
	rev, err := rep.Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, storetest.Git(t, work, "rev-parse", "HEAD"), rev.Hash)

	wrong := canaryToken()
	require.NoError(t, os.WriteFile(tokenFile, []byte(wrong), 0o600))
	_, err = rep.Sync(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, store.ErrAuth)
	assert.Contains(t, err.Error(), remote, "the error names the remote")
	t.Logf("refused: %v", err)
	assert.NotContains(t, err.Error(), wrong)
	assert.NotContains(t, err.Error(), token)
	head, err := rep.Store().Head()
	require.NoError(t, err)
	assert.Equal(t, rev.Hash, head.Hash, "the replica keeps its revision")

	storetest.Git(t, work, "commit", "-q", "--allow-empty", "-m", "two")
	storetest.Git(t, work, "push", "-q", filepath.Join(srv.Root, "store.git"), "main")
	require.NoError(t, os.WriteFile(tokenFile, []byte(token), 0o600))
	rev, err = rep.Sync(ctx)
	require.NoError(t, err, "the rotated file is read again")
	assert.Equal(t, storetest.Git(t, work, "rev-parse", "HEAD"), rev.Hash)
}

// ledgerClone returns the example store with one commit on its ledger
// branch and origin set to a private smart-HTTP remote serving main.
func ledgerClone(t *testing.T, token string) (work string, srv *storetest.GitServer, remote string) {
	t.Helper()
	work = storetest.NewExample(t)
	srv = storetest.NewGitServer(t, token)
	remote = srv.Publish(t, work, "store.git")
	storetest.Git(t, work, "remote", "add", "origin", remote)
	storetest.Git(t, work, "branch", store.DefaultLedgerBranch, "main")
	storetest.CommitOnBranch(t, work, store.DefaultLedgerBranch, "ledger/one.yaml", []byte("x: 1\n"))
	return work, srv, remote
}

// pushLedger pushes the ledger of the store in work.
func pushLedger(t *testing.T, work string) (store.PushResult, error) {
	t.Helper()
	s, err := store.Open(work, store.Options{})
	require.NoError(t, err)
	return s.PushLedger(context.Background())
}

// assertPushed checks the remote's ledger branch is the local one.
func assertPushed(t *testing.T, work string, srv *storetest.GitServer, res store.PushResult) {
	t.Helper()
	local := storetest.Git(t, work, "rev-parse", store.DefaultLedgerBranch)
	assert.Equal(t, local, res.Head)
	assert.Equal(t, local, storetest.Git(t, filepath.Join(srv.Root, "store.git"), "rev-parse", store.DefaultLedgerBranch))
}

// test that a clone whose only credential is a `credential.helper store`
// entry pushes the ledger over smart HTTP, and that a wrong stored token
// fails naming the remote and is rejected (erased) as git would.
func TestPushLedgerWithCredentialHelper(t *testing.T) {
	token := canaryToken()
	storetest.WatchArgv(t, token)
	work, srv, remote := ledgerClone(t, token)
	creds := filepath.Join(t.TempDir(), "git-credentials")
	storetest.Git(t, work, "config", "credential.helper", "store --file "+creds)

	wrong := canaryToken()
	require.NoError(t, os.WriteFile(creds, []byte(strings.Replace(remote, "://", "://x-access-token:"+wrong+"@", 1)+"\n"), 0o600))
	_, err := pushLedger(t, work)
	require.Error(t, err)
	assert.ErrorIs(t, err, store.ErrAuth)
	assert.Contains(t, err.Error(), remote)
	assert.NotContains(t, err.Error(), wrong)
	stored, err := os.ReadFile(creds)
	require.NoError(t, err)
	assert.NotContains(t, string(stored), wrong, "git credential reject erased the refused token")

	require.NoError(t, os.WriteFile(creds, []byte(strings.Replace(remote, "://", "://x-access-token:"+token+"@", 1)+"\n"), 0o600))
	res, err := pushLedger(t, work)
	require.NoError(t, err)
	assertPushed(t, work, srv, res)
}

// test that a clone configured the way actions/checkout does it
// (http.<url>.extraheader holding basic auth) pushes the ledger.
func TestPushLedgerWithExtraHeader(t *testing.T) {
	token := canaryToken()
	storetest.WatchArgv(t, token)
	work, srv, _ := ledgerClone(t, token)
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	cmd := exec.Command("git", "config", "--local", "http."+srv.URL+"/.extraheader", "AUTHORIZATION: basic "+basic)
	cmd.Dir = work
	require.NoError(t, cmd.Run())
	res, err := pushLedger(t, work)
	require.NoError(t, err)
	assertPushed(t, work, srv, res)
}

// test that a push to a private remote with no credential anywhere fails
// saying so and naming the remote.
func TestPushLedgerWithoutCredentials(t *testing.T) {
	token := canaryToken()
	work, _, remote := ledgerClone(t, token)
	_, err := pushLedger(t, work)
	require.Error(t, err)
	assert.ErrorIs(t, err, store.ErrAuth)
	assert.Contains(t, err.Error(), remote)
	assert.Contains(t, err.Error(), "git found none")
}

// test that the argv watcher sees a canary in a process's argv, so its
// silence in the other tests means something.
func TestWatchArgvSeesCanary(t *testing.T) {
	canary := canaryToken()
	cmd := exec.Command("sh", "-c", "sleep 5", canary)
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	assert.Eventually(t, func() bool {
		pid, ok := storetest.ArgvHolding(canary)
		return ok && pid == strconv.Itoa(cmd.Process.Pid)
	}, 2*time.Second, time.Millisecond, "the exec'd child shows its argv")
}

// test that a ledger push rejected because another clone pushed first
// fetches the remote ledger branch with the same credentials (here
// http.extraheader), replays the local event onto it and lands.
func TestPushLedgerRetryAuthenticates(t *testing.T) {
	token := canaryToken()
	storetest.WatchArgv(t, token)
	first, srv, remote := ledgerClone(t, token)
	header := "AUTHORIZATION: basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+token))
	setHeader := func(dir string) {
		cmd := exec.Command("git", "config", "--local", "http."+srv.URL+"/.extraheader", header)
		cmd.Dir = dir
		require.NoError(t, cmd.Run())
	}
	setHeader(first)
	second := filepath.Join(t.TempDir(), "second")
	storetest.Git(t, first, "clone", "-q", first, second)
	storetest.Git(t, second, "remote", "set-url", "origin", remote)
	storetest.Git(t, second, "branch", store.DefaultLedgerBranch, "origin/main")
	storetest.CommitOnBranch(t, second, store.DefaultLedgerBranch, "ledger/two.yaml", []byte("x: 2\n"))
	setHeader(second)

	_, err := pushLedger(t, first)
	require.NoError(t, err)
	res, err := pushLedger(t, second)
	require.NoError(t, err)
	assertPushed(t, second, srv, res)
	files := storetest.Git(t, filepath.Join(srv.Root, "store.git"), "ls-tree", "-r", "--name-only", store.DefaultLedgerBranch, "ledger")
	assert.Equal(t, "ledger/one.yaml\nledger/two.yaml", files, "both events are on the remote")
}

// test that url.<base>.insteadOf applies to the remote as git applies it:
// origin is "private:store.git" and git's configuration maps it to the
// HTTP server, whose credential a helper holds.
func TestPushLedgerFollowsInsteadOf(t *testing.T) {
	token := canaryToken()
	work, srv, remote := ledgerClone(t, token)
	storetest.Git(t, work, "remote", "set-url", "origin", "private:store.git")
	storetest.Git(t, work, "config", "url."+srv.URL+"/.insteadOf", "private:")
	creds := filepath.Join(t.TempDir(), "git-credentials")
	require.NoError(t, os.WriteFile(creds, []byte(strings.Replace(remote, "://", "://x-access-token:"+token+"@", 1)+"\n"), 0o600))
	storetest.Git(t, work, "config", "credential.helper", "store --file "+creds)
	res, err := pushLedger(t, work)
	require.NoError(t, err)
	assertPushed(t, work, srv, res)
}

// test that fetching the ledger from a private remote (SyncLedger, what
// --remote and issue's fetch use) presents the clone's credentials and
// that a refused credential is the same clear error.
func TestSyncLedgerAuthenticates(t *testing.T) {
	token := canaryToken()
	storetest.WatchArgv(t, token)
	pusher, srv, remote := ledgerClone(t, token)
	creds := filepath.Join(t.TempDir(), "git-credentials")
	require.NoError(t, os.WriteFile(creds, []byte(strings.Replace(remote, "://", "://x-access-token:"+token+"@", 1)+"\n"), 0o600))
	storetest.Git(t, pusher, "config", "credential.helper", "store --file "+creds)
	_, err := pushLedger(t, pusher)
	require.NoError(t, err)

	reader := filepath.Join(t.TempDir(), "reader")
	storetest.Git(t, pusher, "clone", "-q", "--single-branch", "-b", "main", filepath.Join(srv.Root, "store.git"), reader)
	storetest.Git(t, reader, "remote", "set-url", "origin", remote)
	s, err := store.Open(reader, store.Options{})
	require.NoError(t, err)
	err = s.SyncLedger(context.Background(), "origin")
	require.ErrorIs(t, err, store.ErrAuth, "no credential yet")
	assert.Contains(t, err.Error(), remote)

	storetest.Git(t, reader, "config", "credential.helper", "store --file "+creds)
	require.NoError(t, s.SyncLedger(context.Background(), "origin"))
	assert.Equal(t, storetest.Git(t, pusher, "rev-parse", store.DefaultLedgerBranch),
		storetest.Git(t, reader, "rev-parse", store.DefaultLedgerBranch), "the ledger came over the authenticated fetch")
}

// test that http.proxy in git's configuration carries the ledger push, as
// git would send it: a forward proxy on 127.0.0.1 sees the requests.
func TestPushLedgerThroughHTTPProxy(t *testing.T) {
	token := canaryToken()
	work, srv, _ := ledgerClone(t, token)
	var seen atomic.Int32
	forward := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.Out.URL = r.In.URL }}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	storetest.Git(t, work, "config", "http.proxy", strings.TrimPrefix(proxy.URL, "http://"))
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	cmd := exec.Command("git", "config", "--local", "http."+srv.URL+"/.extraheader", "Authorization: Basic "+basic)
	cmd.Dir = work
	require.NoError(t, cmd.Run())
	res, err := pushLedger(t, work)
	require.NoError(t, err)
	assertPushed(t, work, srv, res)
	assert.Positive(t, seen.Load(), "the push went through the proxy")
}

// test that GIT_ASKPASS answers when no helper holds a credential, as git
// asks it (user name, then password), without a terminal prompt.
func TestPushLedgerWithAskpass(t *testing.T) {
	token := canaryToken()
	storetest.WatchArgv(t, token)
	work, srv, _ := ledgerClone(t, token)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(token+"\n"), 0o600))
	askpass := filepath.Join(dir, "askpass")
	script := "#!/bin/sh\ncase \"$1\" in Username*) echo x-access-token ;; *) cat '" + tokenFile + "' ;; esac\n"
	require.NoError(t, os.WriteFile(askpass, []byte(script), 0o700))
	t.Setenv("GIT_ASKPASS", askpass)
	res, err := pushLedger(t, work)
	require.NoError(t, err)
	assertPushed(t, work, srv, res)
}

// test that a token inside the configured remote URL (discouraged, but
// people do it) works and still never reaches any argv or error.
func TestPushLedgerWithTokenInURL(t *testing.T) {
	token := canaryToken()
	work, srv, remote := ledgerClone(t, token)
	withToken := strings.Replace(remote, "://", "://x-access-token:"+token+"@", 1)
	cmd := exec.Command("git", "remote", "set-url", "origin", withToken)
	cmd.Dir = work
	require.NoError(t, cmd.Run())
	// Watched from here on: the set-url above is the test's own setup and
	// has the token in its argv on purpose (the watcher caught it under load).
	storetest.WatchArgv(t, token)
	res, err := pushLedger(t, work)
	require.NoError(t, err)
	assertPushed(t, work, srv, res)
	assert.NotContains(t, res.Remote, token)
}

// test that an extraheader the server refuses (an expired job token) is
// followed, as git follows it, by the credential helpers' answer.
func TestPushLedgerExtraHeaderFallsBackToHelper(t *testing.T) {
	token := canaryToken()
	storetest.WatchArgv(t, token)
	work, srv, remote := ledgerClone(t, token)
	expired := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + canaryToken()))
	storetest.Git(t, work, "config", "--local", "http."+srv.URL+"/.extraheader", "AUTHORIZATION: basic "+expired)
	creds := filepath.Join(t.TempDir(), "git-credentials")
	require.NoError(t, os.WriteFile(creds, []byte(strings.Replace(remote, "://", "://x-access-token:"+token+"@", 1)+"\n"), 0o600))
	storetest.Git(t, work, "config", "credential.helper", "store --file "+creds)
	res, err := pushLedger(t, work)
	require.NoError(t, err)
	assertPushed(t, work, srv, res)
}
