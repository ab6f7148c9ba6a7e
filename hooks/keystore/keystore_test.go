package keystore

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/keyringtest"
)

func TestMain(m *testing.M) { keyringtest.Main(m) }

// testPEM is a fresh multi-line private key, with a trailing newline.
func testPEM(t *testing.T) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// noKeychain makes the process look like a Linux session without a bus.
func noKeychain(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
}

func openFileStore(t *testing.T, app string) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "keystore")
	s, err := Open(app, Options{Backend: BackendFile, Dir: dir})
	require.NoError(t, err)
	return s, dir
}

func TestFileRoundTripsPEM(t *testing.T) {
	s, dir := openFileStore(t, "picker-wheel")
	key := testPEM(t)
	crlf := []byte("line one\r\nline two\r\n\x00binary\xff")
	require.NoError(t, s.Set("tls/PRIVATE_KEY", key))
	require.NoError(t, s.Set("odd/VALUE", crlf))

	got, err := s.Get("tls/PRIVATE_KEY")
	require.NoError(t, err)
	assert.Equal(t, key, got, "PEM must come back byte for byte")
	got, err = s.Get("odd/VALUE")
	require.NoError(t, err)
	assert.Equal(t, crlf, got)

	// A new Store on the same directory (a rebuilt bundle) finds it too.
	again, err := Open("picker-wheel", Options{Backend: BackendFile, Dir: dir})
	require.NoError(t, err)
	got, err = again.Get("tls/PRIVATE_KEY")
	require.NoError(t, err)
	assert.Equal(t, key, got)

	ids, err := s.List()
	require.NoError(t, err)
	assert.Equal(t, []string{"odd/VALUE", "tls/PRIVATE_KEY"}, ids)
	assert.Equal(t, BackendFile, s.Backend())
	assert.Equal(t, filepath.Join(dir, "picker-wheel.age"), s.Location())
}

func TestFileHoldsNoPlaintextAndIsPrivate(t *testing.T) {
	s, dir := openFileStore(t, "app")
	key := testPEM(t)
	require.NoError(t, s.Set("tls/PRIVATE_KEY", key))

	data, err := os.ReadFile(s.Location())
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("age-encryption.org/v1\n")), "the file is an age file")
	for _, needle := range []string{
		string(key),
		strings.Split(string(key), "\n")[1], // the base64 body line
		base64.StdEncoding.EncodeToString(key),
		"PRIVATE KEY", "tls/PRIVATE_KEY", "secrets",
	} {
		assert.NotContains(t, string(data), needle, "the fallback file leaks %q", needle)
	}
	for path, want := range map[string]os.FileMode{
		s.Location():                       0o600,
		filepath.Join(dir, "identity.txt"): 0o600,
		dir:                                0o700,
	} {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.Equal(t, want, fi.Mode().Perm(), path)
	}
	leftovers, err := filepath.Glob(filepath.Join(dir, "*.tmp"))
	require.NoError(t, err)
	assert.Empty(t, leftovers)
}

func TestFileForgetAndNotFound(t *testing.T) {
	s, _ := openFileStore(t, "app")
	require.NoError(t, s.Set("a/ONE", []byte("1")))
	require.NoError(t, s.Set("a/TWO", []byte("2")))
	require.NoError(t, s.Delete("a/ONE"))
	_, err := s.Get("a/ONE")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.ErrorIs(t, s.Delete("a/ONE"), ErrNotFound)
	ids, err := s.List()
	require.NoError(t, err)
	assert.Equal(t, []string{"a/TWO"}, ids)
}

func TestFilePassphrase(t *testing.T) {
	dir := t.TempDir()
	pass := func(p string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(p), nil } }
	s, err := Open("app", Options{Backend: BackendFile, Dir: dir, Passphrase: pass("correct horse"), workFactor: 10})
	require.NoError(t, err)
	key := testPEM(t)
	require.NoError(t, s.Set("tls/KEY", key))
	got, err := s.Get("tls/KEY")
	require.NoError(t, err)
	assert.Equal(t, key, got)
	assert.NoFileExists(t, filepath.Join(dir, "identity.txt"), "a passphrase store needs no identity file")

	wrong, err := Open("app", Options{Backend: BackendFile, Dir: dir, Passphrase: pass("wrong")})
	require.NoError(t, err)
	_, err = wrong.Get("tls/KEY")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "decrypt")
	assert.NotContains(t, err.Error(), "correct horse")

	none, err := Open("app", Options{Backend: BackendFile, Dir: dir})
	require.NoError(t, err)
	_, err = none.Get("tls/KEY")
	assert.ErrorIs(t, err, ErrPassphraseRequired)
	assert.NoFileExists(t, filepath.Join(dir, "identity.txt"), "reading without the passphrase makes no identity file")
}

func TestFileRefusesReadableIdentity(t *testing.T) {
	s, dir := openFileStore(t, "app")
	require.NoError(t, s.Set("a/B", []byte("v")))
	require.NoError(t, os.Chmod(filepath.Join(dir, "identity.txt"), 0o644))
	_, err := s.Get("a/B")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "others may read it")
}

func TestBadNames(t *testing.T) {
	_, err := Open("../etc", Options{Backend: BackendFile, Dir: t.TempDir()})
	assert.ErrorContains(t, err, `app name "../etc"`)
	_, err = Open("app", Options{Backend: "vault"})
	assert.ErrorContains(t, err, `unknown backend "vault"`)
	s, _ := openFileStore(t, "app")
	for _, id := range []string{"", "#ids", "a b/C", "../x", "/abs"} {
		assert.ErrorContains(t, s.Set(id, []byte("v")), "secret id", id)
	}
}

func TestNoKeychainUsesFallback(t *testing.T) {
	noKeychain(t)
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	s, err := Open("app", Options{})
	require.NoError(t, err)
	assert.Equal(t, BackendFile, s.Backend())
	assert.Equal(t, filepath.Join(cfg, "secretsctl", "keystore", "app.age"), s.Location())

	_, err = Open("app", Options{Backend: BackendKeychain})
	assert.ErrorIs(t, err, ErrNoKeychain)
}

func TestBrokenBusIsAnError(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-such-bus"))
	_, err := Open("app", Options{Dir: t.TempDir()})
	var kerr *KeychainError
	require.ErrorAs(t, err, &kerr)
	assert.Contains(t, err.Error(), "fallback is not used")
}
