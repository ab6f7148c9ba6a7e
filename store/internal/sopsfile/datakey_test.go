package sopsfile

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getsops/sops/v3"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/hcvault"
	"github.com/getsops/sops/v3/shamir"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vaultKeyAt is a Vault transit master key at addr holding a bogus data key.
func vaultKeyAt(addr string) *hcvault.MasterKey {
	return &hcvault.MasterKey{VaultAddress: addr, EnginePath: "transit", KeyName: "team", EncryptedKey: "vault:v1:AAAA"}
}

// ageKeyWith is an age master key for k holding part.
func ageKeyWith(t *testing.T, k testKey, part []byte) *sopsage.MasterKey {
	t.Helper()
	mk, err := sopsage.MasterKeyFromRecipient(k.recipient)
	require.NoError(t, err)
	require.NoError(t, mk.Encrypt(part))
	return mk
}

// test that once shamir_threshold key groups have opened, the others are
// not tried: a Vault key in a group someone added after the reader's is
// never contacted, even at VAULT_ADDR.
func TestDataKeyStopsAtThreshold(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusForbidden)
	}))
	defer srv.Close()
	t.Setenv("VAULT_ADDR", srv.URL)
	t.Setenv("VAULT_TOKEN", "hvs.not-a-real-token")

	a, b := newTestKey(t), newTestKey(t)
	dataKey := make([]byte, dataKeySize)
	_, err := rand.Read(dataKey)
	require.NoError(t, err)
	parts, err := shamir.Split(dataKey, 3, 2)
	require.NoError(t, err)
	m := sops.Metadata{ShamirThreshold: 2, KeyGroups: []sops.KeyGroup{
		{ageKeyWith(t, a, parts[0])}, {ageKeyWith(t, b, parts[1])}, {vaultKeyAt(srv.URL)},
	}}
	kr, err := ParseKeyring(a.identity + " " + b.identity)
	require.NoError(t, err)
	got, err := kr.dataKey(m)
	require.NoError(t, err)
	assert.Equal(t, dataKey, got)
	assert.Zero(t, requests.Load(), "the third group's Vault is not contacted")

	// with only a's key, the Vault group is tried (and refuses)
	_, err = a.keyring.dataKey(m)
	require.ErrorIs(t, err, ErrNoKey)
	assert.NotZero(t, requests.Load())
}

// test that a Vault that never answers fails the key after keyTimeout
// instead of hanging the command.
func TestDataKeyTimesOutOnSilentVault(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	t.Setenv("VAULT_ADDR", srv.URL)
	t.Setenv("VAULT_TOKEN", "hvs.not-a-real-token")
	saved := keyTimeout
	keyTimeout = 300 * time.Millisecond
	defer func() { keyTimeout = saved }()

	start := time.Now()
	_, err := (*Keyring)(nil).dataKey(sops.Metadata{KeyGroups: []sops.KeyGroup{{vaultKeyAt(srv.URL)}}})
	require.ErrorIs(t, err, ErrNoKey)
	assert.Contains(t, err.Error(), "context deadline exceeded")
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.NotContains(t, err.Error(), "hvs.not-a-real-token")
}
