// Package pgtest starts a real PostgreSQL server for tests: a fresh cluster
// in a temporary directory, listening on a free 127.0.0.1 port, run as the
// unprivileged postgres user when the test runs as root, and stopped (by its
// PID) when the test ends.
//
// The binaries are Debian's postgresql package (scripts/test-deps.sh
// installs it). Without them the test is skipped, or fails when CI is set.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// Server is a running PostgreSQL cluster with trust authentication for the
// superuser postgres on 127.0.0.1.
type Server struct {
	Port int
	bin  string
	dir  string
	cred *syscall.Credential
}

// BinDir finds the directory of initdb and postgres: the newest
// /usr/lib/postgresql/*/bin, else the directory of initdb on PATH. Without
// one the test is skipped, or fails when CI is set (scripts/test-deps.sh
// installs Debian's postgresql package).
func BinDir(t testing.TB) string {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	if os.Getenv("CI") != "" {
		t.Fatal("PostgreSQL is required in CI: scripts/test-deps.sh installs Debian's postgresql package")
	}
	t.Skip("PostgreSQL not installed (apt-get install postgresql, or run scripts/test-deps.sh)")
	return ""
}

// version is the major version in /usr/lib/postgresql/<v>/bin, or 0.
func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// Start creates a cluster and runs its postmaster until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{bin: BinDir(t), Port: storetest.FreePort(t)}
	s.cred = credential(t)
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s.dir = dir
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if s.cred != nil {
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	s.run(t, "initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
	s.startPostmaster(t)
	s.waitReady(t)
	return s
}

// credential is the postgres user's uid and gid when the test runs as root
// (initdb and postgres refuse to run as root), else nil.
func credential(t testing.TB) *syscall.Credential {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("running as root, PostgreSQL needs the unprivileged postgres user: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// command runs a PostgreSQL binary as the cluster's owner.
func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "HOME="+s.dir, "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.cred}
	return cmd
}

func (s *Server) run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := s.command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// startPostmaster runs postgres in the foreground of its own process group.
// Pdeathsig kills it with the test binary even when a timeout panic skips
// t.Cleanup; the backends exit when they see their postmaster gone.
func (s *Server) startPostmaster(t testing.TB) {
	t.Helper()
	cmd := s.command("postgres", "-D", filepath.Join(s.dir, "data"), "-p", strconv.Itoa(s.Port),
		"-k", s.dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off")
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	logs := &storetest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start postgres: %v", err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGQUIT) // immediate shutdown: the data is thrown away
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("postgres:\n%s", logs)
		}
	})
}

func (s *Server) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(context.Background(), s.URL("postgres"))
		if err == nil {
			conn.Close(context.Background())
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres on port %d not ready after 30s: %v", s.Port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL is the connection URL of database db as the superuser.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// CreateDB creates an empty database and returns its URL.
func (s *Server) CreateDB(t testing.TB, name string) string {
	t.Helper()
	s.Exec(t, "postgres", "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return s.URL(name)
}

// Exec runs SQL statements in database db.
func (s *Server) Exec(t testing.TB, db, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.URL(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("exec in %s: %v", db, err)
	}
}

// LoadFile runs an SQL file unchanged in database db with psql, stopping
// at the first error, as an operator loading a schema would.
func (s *Server) LoadFile(t testing.TB, db, file string) {
	t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	// psql runs as the cluster's owner, who may not read the test's files.
	staged := filepath.Join(s.dir, filepath.Base(abs))
	if err := os.WriteFile(staged, data, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(staged)
	s.run(t, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port),
		"-U", "postgres", "-d", db, "-f", staged)
}
