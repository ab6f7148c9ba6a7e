package storetest

import (
	"bytes"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// GitServer is git's own smart-HTTP server (git http-backend under
// net/http/cgi) on 127.0.0.1 serving the bare repositories in Root, which
// asks every request for HTTP basic auth whose password is Token (any user
// name), as a git host does for a private repository.
type GitServer struct {
	// Root holds the bare repositories; URL is the server's base URL.
	Root, URL string
	// Token is the only password the server accepts.
	Token string
}

// NewGitServer starts a [GitServer] that the test stops.
func NewGitServer(t testing.TB, token string) *GitServer {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git CLI")
	}
	s := &GitServer{Root: t.TempDir(), Token: token}
	backend := &cgi.Handler{Path: gitPath, Args: []string{"http-backend"}, Env: []string{
		"GIT_PROJECT_ROOT=" + s.Root, "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pass, ok := r.BasicAuth(); !ok || pass != s.Token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Publish makes a bare clone of the repository in dir, named name (such
// as "store.git"), that accepts pushes, and returns its URL.
func (s *GitServer) Publish(t testing.TB, dir, name string) string {
	t.Helper()
	bare := filepath.Join(s.Root, name)
	Git(t, s.Root, "clone", "-q", "--bare", dir, bare)
	Git(t, bare, "config", "http.receivepack", "true")
	return s.URL + "/" + name
}

// WatchArgv reads every process's argv (/proc/*/cmdline) until the test
// ends and fails the test when one contains canary.
func WatchArgv(t testing.TB, canary string) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if pid, ok := ArgvHolding(canary); ok {
				t.Errorf("process %s has the canary in its argv", pid)
				return
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { close(done); wg.Wait() })
}

// ArgvHolding returns a process whose argv contains canary.
func ArgvHolding(canary string) (string, bool) {
	paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(canary)) {
			return strings.Split(p, "/")[2], true
		}
	}
	return "", false
}
