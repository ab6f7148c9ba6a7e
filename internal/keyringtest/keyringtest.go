// Package keyringtest runs a package's tests against a real, private
// Secret Service: a throwaway gnome-keyring inside its own D-Bus session,
// so tests never touch the developer's own keychain.
//
// A package's TestMain calls [Main]; tests that need the keychain call
// [Require] first. The recipe is the one in NOTES.md: dbus-run-session, and
// gnome-keyring-daemon --unlock reading a throwaway password on stdin.
// dbus-x11 must not be installed (its autolaunch starts a dbus-daemon that
// never exits); the daemon started here is killed by PID when the tests end.
package keyringtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// marker is set in the environment of the re-executed test binary: "ok"
// when the Secret Service answers, else why there is none.
const marker = "SECRETSCTL_KEYRING_SESSION"

// session runs the test binary ("$@") with gnome-keyring-daemon beside it
// and kills the daemon afterwards. The daemon's HOME, data and runtime
// directories are throwaway ones (KR_DIR), so its login keyring is too.
const session = `
d="$KR_DIR"
printf throwaway | env HOME="$d/home" XDG_DATA_HOME="$d/data" XDG_RUNTIME_DIR="$d/run" \
	gnome-keyring-daemon --foreground --unlock --components=secrets >"$d/daemon.out" 2>"$d/daemon.err" &
kpid=$!
"$@"
rc=$?
kill "$kpid" 2>/dev/null
wait "$kpid" 2>/dev/null
exit "$rc"
`

// Main runs the tests of m inside a private D-Bus session with a Secret
// Service, re-executing the test binary under dbus-run-session. When the
// tools are missing it runs the tests directly and [Require] reports why.
func Main(m *testing.M) {
	switch os.Getenv(marker) {
	case "":
		os.Exit(reexec(m))
	case "starting":
		if err := waitForService(10 * time.Second); err != nil {
			os.Setenv(marker, err.Error())
		} else {
			os.Setenv(marker, "ok")
		}
	}
	os.Exit(m.Run())
}

// Require skips t (fails it when CI=true) unless a Secret Service runs.
func Require(t testing.TB) {
	t.Helper()
	if v := os.Getenv(marker); v != "ok" {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Secret Service for the keychain tests (CI is set): %s; run scripts/test-deps.sh", v)
		}
		t.Skipf("no Secret Service for the keychain tests: %s (scripts/test-deps.sh installs gnome-keyring and dbus)", v)
	}
}

func reexec(m *testing.M) int {
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			os.Setenv(marker, tool+" is not installed")
			return m.Run()
		}
	}
	dir, err := os.MkdirTemp("", "secretsctl-keyring-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "keyringtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	for _, sub := range []string{"home", "data", "run"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			fmt.Fprintln(os.Stderr, "keyringtest:", err)
			return 1
		}
	}
	args := append([]string{"--", "sh", "-c", session, "sh", os.Args[0]}, os.Args[1:]...)
	cmd := exec.Command("dbus-run-session", args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), marker+"=starting", "KR_DIR="+dir)
	setParentDeath(cmd)
	err = cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code >= 0 {
		return code
	}
	fmt.Fprintln(os.Stderr, "keyringtest: dbus-run-session:", err)
	return 1
}

// waitForService waits until org.freedesktop.secrets has an owner on the
// session bus.
func waitForService(limit time.Duration) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return fmt.Errorf("connect to the session bus: %w", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(limit)
	for {
		var owned bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&owned)
		if err == nil && owned {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gnome-keyring-daemon did not take org.freedesktop.secrets within %s (see its log in $KR_DIR)", limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
