package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// server is a running `secretsctl serve`.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *storetest.SyncBuffer
	done   chan error
}

var listening = regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)

// startServe starts `secretsctl serve --addr 127.0.0.1:0 ARGS...` and waits
// for the address it prints. The test's environment (HOME, SOPS_AGE_KEY_FILE)
// applies.
func startServe(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(secretsctlBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	pr, pw := io.Pipe()
	s := &server{cmd: cmd, stderr: &storetest.SyncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = pw
	require.NoError(t, cmd.Start())
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.stderr.Write([]byte(line + "\n"))
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { s.done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.done
		}
	})
	select {
	case s.url = <-urls:
	case err := <-s.done:
		t.Fatalf("serve exited: %v\n%s", err, s.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", s.stderr.String())
	}
	return s
}

func (s *server) get(t *testing.T, path string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

func runCmd(t *testing.T, dir string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), stderr.String())
	return out
}

// test that the seed route serves the bytes of `secretsctl plan --format
// json`, that an ETag gets 304 until a commit and 200 after, and that
// SIGTERM drains and exits 0.
func TestServeSameBytesAsPlan(t *testing.T) {
	dir := storetest.NewExample(t)
	bin := secretsctlBinary(t)
	srv := startServe(t, "--store", dir)
	const path = "/deployment/secrets?scenario=picker-wheel&tier=desktop"

	status, hdr, body := srv.get(t, path)
	require.Equal(t, http.StatusOK, status, "%s", body)
	cli := runCmd(t, dir, bin, "plan", "--scenario", "picker-wheel", "--tier", "desktop", "--format", "json", "--allow-blocking")
	assert.Equal(t, string(cli), string(body), "serve and plan give identical bytes at one revision")
	etag := hdr.Get("ETag")

	status, _, body = srv.get(t, path, "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, status)
	assert.Empty(t, body)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "NOTES.md"), []byte("next\n"), 0o644))
	storetest.Git(t, dir, "add", "NOTES.md")
	storetest.Git(t, dir, "commit", "-q", "-m", "a new commit")
	// serve answers from the HEAD it compared up to 10 ms ago (gitrepo's
	// headRecheck); on a quiet machine git add and commit can take less.
	time.Sleep(50 * time.Millisecond)
	status, hdr, body = srv.get(t, path, "If-None-Match", etag)
	assert.Equal(t, http.StatusOK, status, "the old ETag gets 200 after a commit")
	assert.NotEqual(t, etag, hdr.Get("ETag"))
	cli = runCmd(t, dir, bin, "plan", "--scenario", "picker-wheel", "--tier", "desktop", "--allow-blocking")
	assert.Equal(t, string(cli), string(body), "the new commit is served without a restart")

	require.NoError(t, srv.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-srv.done:
		assert.NoError(t, err, "SIGTERM exits 0")
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not exit on SIGTERM")
	}
	log := srv.stderr.String()
	assert.Contains(t, log, `"route":"/deployment/secrets"`)
	assert.Contains(t, log, `"status":304`)
}

// test that with --token-file requests without the token get 401 and with
// it 200, and /healthz stays open.
func TestServeTokenFile(t *testing.T) {
	dir := storetest.NewExample(t)
	tokens := filepath.Join(t.TempDir(), "tokens")
	require.NoError(t, os.WriteFile(tokens, []byte("# deployment-manager\ns3cret-token-one-4f9a2c7e1b8d5a3f\n\nsecond-token-0f1e2d3c4b5a69788796a5b4\n"), 0o600))
	srv := startServe(t, "--store", dir, "--token-file", tokens)
	const path = "/api/v1/deployment/secrets/picker-wheel?tier=2"
	status, _, body := srv.get(t, path)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, string(body), `"code": "unauthorized"`)
	status, _, _ = srv.get(t, path, "Authorization", "Bearer s3cret-token-one-4f9a2c7e1b8d5a3f")
	assert.Equal(t, http.StatusOK, status)
	status, _, _ = srv.get(t, path, "Authorization", "Bearer second-token-0f1e2d3c4b5a69788796a5b4")
	assert.Equal(t, http.StatusOK, status)
	status, _, _ = srv.get(t, "/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.NotContains(t, srv.stderr.String(), "s3cret-token-one-4f9a2c7e1b8d5a3f")
}

// revisionOf returns the revision a replica serves and whether it is ready.
func readiness(t *testing.T, s *server) (status int, h map[string]any) {
	t.Helper()
	status, _, body := s.get(t, "/readyz")
	require.NoError(t, json.Unmarshal(body, &h), "%s", body)
	return status, h
}

// test that replicas following a bare repository served by git daemon on
// 127.0.0.1 (and one following it by file://) serve a pushed commit within
// one pull interval plus a second, and keep serving the last revision, ready,
// when the remote is gone.
func TestServeReplicas(t *testing.T) {
	work := storetest.NewExample(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is required")
	}
	root := t.TempDir()
	bare := filepath.Join(root, "repos", "store.git")
	storetest.Git(t, root, "clone", "-q", "--bare", work, bare)
	port := storetest.FreePort(t)
	daemon := exec.Command("git", "daemon", "--export-all", "--reuseaddr", "--base-path="+filepath.Join(root, "repos"),
		"--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), filepath.Join(root, "repos"))
	// Its own process group: git daemon forks a child per connection, and
	// the children hold the listening socket too.
	daemon.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	require.NoError(t, daemon.Start())
	killDaemon := func() { _ = syscall.Kill(-daemon.Process.Pid, syscall.SIGKILL); _ = daemon.Wait() }
	t.Cleanup(killDaemon)
	gitURL := fmt.Sprintf("git://127.0.0.1:%d/store.git", port)
	require.Eventually(t, func() bool {
		return exec.Command("git", "ls-remote", gitURL).Run() == nil
	}, 10*time.Second, 50*time.Millisecond, "git daemon is up")

	// file:// to a second bare copy, so that killing the daemon and
	// removing this one are two separate outages.
	bare2 := filepath.Join(root, "file", "store.git")
	storetest.Git(t, root, "clone", "-q", "--bare", work, bare2)

	const interval = 2 * time.Second
	replicas := []*server{
		startServe(t, "--remote", gitURL, "--pull-interval", interval.String()),
		startServe(t, "--remote", gitURL, "--pull-interval", interval.String(), "--replica-dir", filepath.Join(root, "replica-b")),
		startServe(t, "--remote", "file://"+bare2, "--pull-interval", interval.String()),
	}
	first := storetest.Git(t, work, "rev-parse", "HEAD")
	const path = "/deployment/secrets?scenario=picker-wheel&tier=desktop"
	for i, r := range replicas {
		require.Eventually(t, func() bool { st, _ := readiness(t, r); return st == http.StatusOK }, 15*time.Second, 50*time.Millisecond, "replica %d gets ready", i)
		_, h := readiness(t, r)
		assert.Equal(t, first, h["revision"])
		assert.NotEmpty(t, h["last_sync"])
		status, _, body := r.get(t, path)
		require.Equal(t, http.StatusOK, status, "%s", body)
	}
	_, _, before := replicas[0].get(t, path)
	for _, r := range replicas[1:] {
		_, _, other := r.get(t, path)
		assert.Equal(t, string(before), string(other), "replicas serve the same bytes for the same revision")
	}

	// A commit pushed to both remotes.
	require.NoError(t, os.WriteFile(filepath.Join(work, "NOTES.md"), []byte("pushed\n"), 0o644))
	storetest.Git(t, work, "add", "NOTES.md")
	storetest.Git(t, work, "commit", "-q", "-m", "pushed commit")
	next := storetest.Git(t, work, "rev-parse", "HEAD")
	storetest.Git(t, work, "push", "-q", bare, "main")
	storetest.Git(t, work, "push", "-q", bare2, "main")
	// Each replica polls on its own clock, so each gets the full budget of
	// one interval plus a second (plus slack for a loaded CI machine, where
	// a fetch and a snapshot under -race take a while); the latency each
	// one actually showed is logged.
	pushed := time.Now()
	for i, r := range replicas {
		require.Eventually(t, func() bool {
			_, hdr, _ := r.get(t, path)
			return hdr.Get("X-Secretsctl-Revision") == next
		}, interval+time.Second+10*time.Second, 25*time.Millisecond, "replica %d serves the pushed commit", i)
		t.Logf("replica %d served the pushed commit %s after the push", i, time.Since(pushed).Round(time.Millisecond))
	}

	// The remotes go away.
	killDaemon()
	require.NoError(t, os.Rename(bare2, bare2+".gone"))
	for i, r := range replicas {
		require.Eventually(t, func() bool { _, h := readiness(t, r); return h["last_error"] != nil }, 15*time.Second, 50*time.Millisecond,
			"replica %d reports the failed sync", i)
		status, h := readiness(t, r)
		assert.Equal(t, http.StatusOK, status, "replica %d stays ready", i)
		assert.Equal(t, next, h["revision"], "replica %d keeps the last revision", i)
		assert.NotEmpty(t, h["last_sync"])
		status, hdr, _ := r.get(t, path)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, next, hdr.Get("X-Secretsctl-Revision"))
	}
}

// test that a replica whose remote does not answer is not ready, with a
// JSON 503 on data routes.
func TestServeReplicaNotReady(t *testing.T) {
	storetest.Isolate(t)
	srv := startServe(t, "--remote", fmt.Sprintf("git://127.0.0.1:%d/none.git", storetest.FreePort(t)), "--pull-interval", "1s")
	require.Eventually(t, func() bool { _, h := readiness(t, srv); return h["last_error"] != nil }, 10*time.Second, 50*time.Millisecond)
	status, h := readiness(t, srv)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, false, h["ready"])
	status, _, body := srv.get(t, "/api/v1/tiers")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, string(body), `"code": "not_ready"`)
}
