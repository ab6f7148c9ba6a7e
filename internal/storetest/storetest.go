// Package storetest builds real stores for tests: the example store copied
// into a fresh git repository, with the real git CLI and an isolated git and
// sops configuration.
package storetest

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/secretsctl/secretsctl/store"
)

// FixedDate is the author and committer date of commits made by [Git], so
// commit hashes are reproducible.
const FixedDate = "2026-01-02T03:04:05Z"

// Root returns the module root directory.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// ExampleDir is the example store in the source tree.
func ExampleDir() string { return filepath.Join(Root(), "examples", "store") }

// DemoKeyFile is the example store's demo-only age identity.
func DemoKeyFile() string { return filepath.Join(ExampleDir(), "demo-age-key.txt") }

// Isolate points HOME, XDG_CONFIG_HOME and git's global config at a temp
// dir so a test never reads or writes the developer's own configuration,
// and clears the SOPS_AGE_* variables. It returns the temp home.
func Isolate(t testing.TB) string {
	t.Helper()
	home := t.TempDir()
	gitconfig := filepath.Join(home, ".gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[user]\n\tname = Test Author\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_GLOBAL", gitconfig)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, v := range []string{"SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", "SECRETSCTL_STORE"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	return home
}

// Git runs the git CLI in dir with fixed dates and returns its trimmed
// output; a failure fails the test.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+FixedDate, "GIT_COMMITTER_DATE="+FixedDate)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// CopyTree copies the regular files under src into dst.
func CopyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// NewExample copies the example store into a new git repository (the store
// at its root), commits it with the fixed date, points SOPS_AGE_KEY_FILE at
// the demo key and returns the store directory. It calls [Isolate].
func NewExample(t testing.TB) string {
	t.Helper()
	Isolate(t)
	dir := filepath.Join(t.TempDir(), "store")
	if err := CopyTree(ExampleDir(), dir); err != nil {
		t.Fatal(err)
	}
	Git(t, dir, "init", "-q", "-b", "main")
	Git(t, dir, "add", "-A")
	Git(t, dir, "commit", "-q", "-m", "example store")
	t.Setenv("SOPS_AGE_KEY_FILE", filepath.Join(dir, "demo-age-key.txt"))
	return dir
}

// ExampleSnapshot is [NewExample] opened at HEAD.
func ExampleSnapshot(t testing.TB) *store.Snapshot {
	t.Helper()
	s, err := store.Open(NewExample(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := s.Snapshot(store.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// SyncBuffer is a bytes.Buffer that goroutines (a server's handlers, a
// command's output pipes) may write while a test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
