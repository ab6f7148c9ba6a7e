// Package vaulttest starts a real HashiCorp Vault dev server on 127.0.0.1
// for tests, on a free port, and stops it (by its PID) when the test ends.
package vaulttest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// RootToken is the dev server's root token.
const RootToken = "root"

// Server is a running dev server.
type Server struct {
	Addr   string // http://127.0.0.1:PORT
	Client *vault.Client
}

// Binary finds the vault binary: $SECRETSCTL_TOOLS_BIN/vault, else PATH.
// Without it the test is skipped, or fails when CI is set
// (scripts/test-deps.sh builds it).
func Binary(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("SECRETSCTL_TOOLS_BIN"); dir != "" {
		if p := filepath.Join(dir, "vault"); isExecutable(p) {
			return p
		}
	}
	if p, err := exec.LookPath("vault"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		if p := filepath.Join(home, ".cache", "secretsctl", "tools", "bin", "vault"); isExecutable(p) {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("the vault server binary is required in CI: scripts/test-deps.sh builds it")
	}
	t.Skip("vault server binary not installed; run `make test` (scripts/test-deps.sh builds it)")
	return ""
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// Start runs `vault server -dev` on a free loopback port and waits until it
// is healthy. KV v2 is mounted at secret/.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	port := storetest.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "server", "-dev", "-dev-root-token-id="+RootToken, "-dev-listen-address="+addr, "-dev-no-store-token")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "VAULT_DISABLE_MLOCK=true")
	logFile, err := os.Create(filepath.Join(t.TempDir(), "vault.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Pdeathsig: the server dies with the test binary even when a timeout
	// panic skips t.Cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start vault: %v", err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_ = cmd.Wait()
		logFile.Close()
	})
	s := &Server{Addr: "http://" + addr}
	cfg := vault.DefaultConfig()
	cfg.Address = s.Addr
	if s.Client, err = vault.NewClient(cfg); err != nil {
		t.Fatal(err)
	}
	s.Client.SetToken(RootToken)
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := s.Client.Sys().Health()
		if err == nil && h.Initialized && !h.Sealed {
			if _, err := s.Client.KVv2("secret").Get(context.Background(), "probe"); err == nil || strings.Contains(err.Error(), "secret not found") {
				return s
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("vault dev server at %s not healthy after 30s: %v\n%s", s.Addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Put writes a KV v2 secret under secret/ and returns its version.
func (s *Server) Put(t testing.TB, path string, data map[string]any) int {
	t.Helper()
	sec, err := s.Client.KVv2("secret").Put(context.Background(), path, data)
	if err != nil {
		t.Fatalf("vault put %s: %v", path, err)
	}
	return sec.VersionMetadata.Version
}

// Token creates a token with a policy allowing only reads of the given
// path pattern under secret/data/.
func (s *Server) Token(t testing.TB, readable string) string {
	t.Helper()
	policy := fmt.Sprintf("path \"secret/data/%s\" { capabilities = [\"read\"] }\npath \"auth/token/lookup-self\" { capabilities = [\"read\"] }\n", readable)
	if err := s.Client.Sys().PutPolicy("reader", policy); err != nil {
		t.Fatal(err)
	}
	sec, err := s.Client.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"reader"}, NoDefaultPolicy: true})
	if err != nil {
		t.Fatal(err)
	}
	return sec.Auth.ClientToken
}
