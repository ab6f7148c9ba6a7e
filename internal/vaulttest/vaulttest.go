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

// Binary finds the vault binary with [Find]. Without it the test is
// skipped, or fails when CI is set (scripts/test-deps.sh builds it).
func Binary(t testing.TB) string {
	t.Helper()
	if p, ok := Find(); ok {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("the vault server binary is required in CI: scripts/test-deps.sh builds it")
	}
	t.Skip("vault server binary not installed; run `make test` (scripts/test-deps.sh builds it)")
	return ""
}

// Find looks for the vault binary: $SECRETSCTL_TOOLS_BIN/vault, else PATH,
// else the tools cache under the home directory.
func Find() (string, bool) {
	if dir := os.Getenv("SECRETSCTL_TOOLS_BIN"); dir != "" {
		if p := filepath.Join(dir, "vault"); isExecutable(p) {
			return p, true
		}
	}
	if p, err := exec.LookPath("vault"); err == nil {
		return p, true
	}
	if home, err := os.UserHomeDir(); err == nil {
		if p := filepath.Join(home, ".cache", "secretsctl", "tools", "bin", "vault"); isExecutable(p) {
			return p, true
		}
	}
	return "", false
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// Start runs `vault server -dev` on a free loopback port and waits until it
// is healthy. KV v2 is mounted at secret/.
func Start(t testing.TB) *Server {
	t.Helper()
	s, stop, err := Launch(Binary(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// Launch is Start for code without a testing.TB (testscript commands): it
// runs the server binary bin with its HOME and log in dir, and returns a
// function that kills it (by its PID).
func Launch(bin, dir string) (*Server, func(), error) {
	port, err := storetest.FindFreePort()
	if err != nil {
		return nil, nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "server", "-dev", "-dev-root-token-id="+RootToken, "-dev-listen-address="+addr, "-dev-no-store-token")
	cmd.Env = append(os.Environ(), "HOME="+dir, "VAULT_DISABLE_MLOCK=true")
	logFile, err := os.Create(filepath.Join(dir, "vault.log"))
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Pdeathsig: the server dies with the test binary even when a timeout
	// panic skips t.Cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, nil, fmt.Errorf("start vault: %w", err)
	}
	pid := cmd.Process.Pid
	stop := func() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
		_ = cmd.Wait()
		logFile.Close()
	}
	s := &Server{Addr: "http://" + addr}
	if err := s.waitHealthy(logFile.Name()); err != nil {
		stop()
		return nil, nil, err
	}
	return s, stop, nil
}

// waitHealthy connects the client and waits up to 30 s for the server.
func (s *Server) waitHealthy(logName string) error {
	cfg := vault.DefaultConfig()
	cfg.Address = s.Addr
	var err error
	if s.Client, err = vault.NewClient(cfg); err != nil {
		return err
	}
	s.Client.SetToken(RootToken)
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := s.Client.Sys().Health()
		if err == nil && h.Initialized && !h.Sealed {
			if _, err := s.Client.KVv2("secret").Get(context.Background(), "probe"); err == nil || strings.Contains(err.Error(), "secret not found") {
				return nil
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logName)
			return fmt.Errorf("vault dev server at %s not healthy after 30s: %v\n%s", s.Addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TransitKey mounts the transit secrets engine at transit/ (once) and
// creates an encryption key there, through the HTTP API, and returns the
// key's URI as sops' hc_vault_transit_uri takes it.
func (s *Server) TransitKey(name string) (string, error) {
	mounts, err := s.Client.Sys().ListMounts()
	if err != nil {
		return "", fmt.Errorf("list vault mounts: %w", err)
	}
	if _, ok := mounts["transit/"]; !ok {
		if err := s.Client.Sys().Mount("transit", &vault.MountInput{Type: "transit"}); err != nil {
			return "", fmt.Errorf("enable transit: %w", err)
		}
	}
	if _, err := s.Client.Logical().Write("transit/keys/"+name, nil); err != nil {
		return "", fmt.Errorf("create transit key %s: %w", name, err)
	}
	return s.Addr + "/v1/transit/keys/" + name, nil
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
