// Package trackertest builds Vrooli's real app-issue-tracker from its
// source fixture (../shared/fixtures/vrooli-app-issue-tracker) and runs it
// on a free 127.0.0.1 port for tests, stopping it (by its PID) when the test
// ends. The fixture is AGPL-licensed third-party code: it is built from where
// it lies, never copied into this repository.
package trackertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// fixture is the tracker's source directory, relative to an ancestor of the
// repository (the repository's parent in CI and in a worktree's ancestors).
const fixture = "shared/fixtures/vrooli-app-issue-tracker"

// Server is a running app-issue-tracker.
type Server struct {
	URL string // http://127.0.0.1:PORT
}

// Source finds the tracker's source: $SECRETSCTL_TRACKER_SRC, else
// shared/fixtures/vrooli-app-issue-tracker in the nearest ancestor of the
// repository holding it. Without it the test is skipped, or fails when CI
// is set.
func Source(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("SECRETSCTL_TRACKER_SRC"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "scenarios", "app-issue-tracker", "api", "go.mod")); err != nil {
			t.Fatalf("SECRETSCTL_TRACKER_SRC=%s is not the app-issue-tracker fixture: %v", dir, err)
		}
		return dir
	}
	for dir := filepath.Dir(storetest.Root()); ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(filepath.Join(dir, fixture)); err == nil && fi.IsDir() {
			return filepath.Join(dir, fixture)
		}
		if dir == filepath.Dir(dir) {
			break
		}
	}
	const msg = "app-issue-tracker source not found: set SECRETSCTL_TRACKER_SRC or put it at ../" + fixture
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (required in CI)")
	}
	t.Skip(msg)
	return ""
}

// Start copies the source to a temp dir (the fixture may be read-only),
// builds it with the go command and the module proxy, starts it with an
// empty issues directory and waits until /health answers. Call it before
// storetest.Isolate, which moves HOME and with it Go's default caches.
func Start(t testing.TB) *Server {
	t.Helper()
	src := Source(t)
	root := filepath.Join(t.TempDir(), "ait")
	if err := storetest.CopyTree(src, root); err != nil {
		t.Fatalf("copy the tracker source: %v", err)
	}
	bin := build(t, filepath.Join(root, "scenarios", "app-issue-tracker", "api"))
	addr := fmt.Sprintf("127.0.0.1:%d", storetest.FreePort(t))
	cmd := exec.Command(bin)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "VROOLI_LIFECYCLE_MANAGED=true", "APP_ISSUE_TRACKER_ROOT="+root,
		"ISSUES_DIR="+filepath.Join(t.TempDir(), "issues"), "API_PORT="+strings.TrimPrefix(addr, "127.0.0.1:"))
	var log storetest.SyncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the tracker: %v", err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	s := &Server{URL: "http://" + addr}
	s.waitHealthy(t, &log)
	return s
}

// build compiles the tracker in dir with the caller's Go caches.
func build(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "app-issue-tracker")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the app-issue-tracker from %s: %v\n%s", dir, err, out)
	}
	return bin
}

func (s *Server) waitHealthy(t testing.TB, log *storetest.SyncBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("app-issue-tracker at %s not healthy after 30s: %v\n%s", s.URL, err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Get decodes the data of a GET /api/v1 answer into out and fails the test
// on anything but a successful answer.
func (s *Server) Get(t testing.TB, path string, out any) {
	t.Helper()
	resp, err := http.Get(s.URL + "/api/v1" + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var env struct {
		Success bool            `json:"success"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.Success {
		t.Fatalf("GET %s: %s %v %s", path, resp.Status, err, env.Message)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
