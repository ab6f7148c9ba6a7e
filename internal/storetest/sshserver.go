package storetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SSHServer is OpenSSH's sshd on a loopback port, with a host key and one
// authorized deploy key generated for the test, serving git over SSH to
// the current user.
type SSHServer struct {
	// Addr is host:port; KeyFile the deploy key's private half;
	// KnownHosts a known_hosts file naming the server's host key.
	Addr, KeyFile, KnownHosts string
	dir                       string
}

// NewSSHServer starts an [SSHServer] that the test stops. It skips the
// test when sshd (Debian's openssh-server) is not installed.
func NewSSHServer(t testing.TB) *SSHServer {
	t.Helper()
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		if sshd, err = exec.LookPath("/usr/sbin/sshd"); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("no sshd: scripts/test-deps.sh installs openssh-server (required in CI)")
			}
			t.Skip("no sshd (apt-get install openssh-server, or run scripts/test-deps.sh)")
		}
	}
	dir := t.TempDir()
	s := &SSHServer{dir: dir, KeyFile: filepath.Join(dir, "deploy_key"), KnownHosts: filepath.Join(dir, "known_hosts")}
	keygen(t, filepath.Join(dir, "host_key"))
	keygen(t, s.KeyFile)
	copyFile(t, s.KeyFile+".pub", filepath.Join(dir, "authorized_keys"))
	s.Addr = fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	_, port, _ := net.SplitHostPort(s.Addr)
	host := readFile(t, filepath.Join(dir, "host_key.pub"))
	writeFile(t, s.KnownHosts, fmt.Sprintf("[127.0.0.1]:%s %s", port, host))
	writeFile(t, filepath.Join(dir, "sshd_config"), strings.Join([]string{
		"Port " + port, "ListenAddress 127.0.0.1", "HostKey " + filepath.Join(dir, "host_key"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"), "PidFile " + filepath.Join(dir, "sshd.pid"),
		"PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes",
		"PermitRootLogin prohibit-password", "StrictModes no", "UsePAM no", "LogLevel ERROR", ""}, "\n"))
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil { // sshd's privilege separation directory
		t.Skipf("sshd needs /run/sshd: %v", err)
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logs := &SyncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("sshd:\n%s", logs)
		}
	})
	waitListening(t, s.Addr)
	return s
}

// URL is the ssh:// URL of the repository at the absolute path dir.
func (s *SSHServer) URL(dir string) string {
	user := os.Getenv("USER")
	if user == "" {
		user = "root"
	}
	return "ssh://" + user + "@" + s.Addr + dir
}

func keygen(t testing.TB, file string) {
	t.Helper()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", file).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
}

func waitListening(t testing.TB, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("sshd did not listen on %s", addr)
}

func readFile(t testing.TB, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(data))
}

func writeFile(t testing.TB, file, data string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(data+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t testing.TB, from, to string) { t.Helper(); writeFile(t, to, readFile(t, from)) }
