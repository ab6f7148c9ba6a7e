package keystore

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/keyringtest"
)

// TestKeychain runs against the real Secret Service keyringtest starts.
// The subtests run in order: the last one locks the keyring.
func TestKeychain(t *testing.T) {
	keyringtest.Require(t)
	dir := t.TempDir()
	app := fmt.Sprintf("test-%d", time.Now().UnixNano())
	s, err := Open(app, Options{Dir: dir, Timeout: 10 * time.Second})
	require.NoError(t, err)
	require.Equal(t, BackendKeychain, s.Backend(), "a Secret Service runs, so the keychain is used")
	assert.Equal(t, "Secret Service", s.Location())
	key := testPEM(t)

	t.Run("PEM round-trips byte for byte", func(t *testing.T) {
		require.NoError(t, s.Set("tls/PRIVATE_KEY", key))
		got, err := s.Get("tls/PRIVATE_KEY")
		require.NoError(t, err)
		assert.Equal(t, key, got)
		// The item is really in the Secret Service, under the documented names.
		out, err := exec.Command("secret-tool", "lookup", "service", "secretsctl:"+app, "username", "tls/PRIVATE_KEY").Output()
		require.NoError(t, err)
		assert.Equal(t, string(key), string(out))
	})

	t.Run("a new store for the same app finds it", func(t *testing.T) {
		again, err := Open(app, Options{Dir: dir})
		require.NoError(t, err)
		got, err := again.Get("tls/PRIVATE_KEY")
		require.NoError(t, err)
		assert.Equal(t, key, got)
	})

	t.Run("list and forget", func(t *testing.T) {
		require.NoError(t, s.Set("openrouter/OPENROUTER_API_KEY", []byte("sk-or-v1-canary")))
		require.NoError(t, s.Set("openrouter/OPENROUTER_API_KEY", []byte("sk-or-v1-replaced")))
		ids, err := s.List()
		require.NoError(t, err)
		assert.Equal(t, []string{"openrouter/OPENROUTER_API_KEY", "tls/PRIVATE_KEY"}, ids)
		got, err := s.Get("openrouter/OPENROUTER_API_KEY")
		require.NoError(t, err)
		assert.Equal(t, "sk-or-v1-replaced", string(got))

		require.NoError(t, s.Delete("openrouter/OPENROUTER_API_KEY"))
		_, err = s.Get("openrouter/OPENROUTER_API_KEY")
		assert.ErrorIs(t, err, ErrNotFound)
		assert.ErrorIs(t, s.Delete("openrouter/OPENROUTER_API_KEY"), ErrNotFound)
		ids, err = s.List()
		require.NoError(t, err)
		assert.Equal(t, []string{"tls/PRIVATE_KEY"}, ids)
	})

	t.Run("a locked keychain is an error, not a fallback", func(t *testing.T) {
		lockLogin(t)
		_, err := s.Get("tls/PRIVATE_KEY")
		var kerr *KeychainError
		require.ErrorAs(t, err, &kerr)
		assert.Contains(t, err.Error(), "fallback is not used")
		assert.NotContains(t, err.Error(), "PRIVATE KEY-----")

		err = s.Set("new/ID", []byte("value"))
		require.ErrorAs(t, err, &kerr)
		// Opening again still picks the keychain: it exists.
		again, err := Open(app, Options{Dir: dir})
		require.NoError(t, err)
		assert.Equal(t, BackendKeychain, again.Backend())
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries, "nothing may be written to the fallback directory")
	})
}

// lockLogin locks the login keyring through the Secret Service API. Nothing
// can answer the unlock prompt then (no display), as on a locked desktop
// whose user dismisses it.
func lockLogin(t *testing.T) {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	require.NoError(t, err)
	defer conn.Close()
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	err = svc.Call("org.freedesktop.Secret.Service.Lock", 0,
		[]dbus.ObjectPath{"/org/freedesktop/secrets/aliases/default"}).Store(&locked, &prompt)
	require.NoError(t, err)
	require.NotEmpty(t, locked, "the login keyring was locked")
}

// TestBusWithoutSecretServiceFallsBack starts a bare session bus, with no
// service directories (the stock session configuration would activate
// gnome-keyring): a bus that no Secret Service answers on means no keychain.
func TestBusWithoutSecretServiceFallsBack(t *testing.T) {
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dbus-daemon is not installed (CI is set); run scripts/test-deps.sh")
		}
		t.Skip("dbus-daemon is not installed")
	}
	tmp := t.TempDir()
	config := filepath.Join(tmp, "bus.conf")
	require.NoError(t, os.WriteFile(config, fmt.Appendf(nil, bareBus, filepath.Join(tmp, "bus")), 0o600))
	cmd := exec.Command("dbus-daemon", "--config-file="+config, "--nofork", "--nopidfile", "--print-address")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line := make([]byte, 512)
	n, err := out.Read(line) // the address, once the bus listens
	require.NoError(t, err)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", strings.TrimSpace(string(line[:n])))

	dir := t.TempDir()
	s, err := Open("app", Options{Dir: dir})
	require.NoError(t, err)
	assert.Equal(t, BackendFile, s.Backend())
	require.NoError(t, s.Set("a/B", []byte("v")))
	assert.FileExists(t, filepath.Join(dir, "app.age"))
}

const bareBus = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
