package sopsfile

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/hcvault"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encValues lists a document's encrypted values (not the MAC), in order.
func encValues(doc string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(- )?([\w/-]+: )?ENC\[.*\]$`).FindAllString(doc, -1) {
		if !strings.HasPrefix(strings.TrimSpace(m), "mac: ") {
			out = append(out, m)
		}
	}
	return out
}

// test that UpdateKeys moves the data key to other recipients, as sops
// updatekeys does: every value keeps its ciphertext, the old key no longer
// opens the document and the new one does.
func TestUpdateKeysKeepsValueCiphertexts(t *testing.T) {
	a, b := newTestKey(t), newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(a))
	prev, err := OpenPrevious([]byte(enc), a.keyring)
	require.NoError(t, err)
	require.NoError(t, prev.UpdateKeys(Rule{Recipients: []string{b.recipient}}))
	assert.Equal(t, []string{b.recipient}, prev.Keys())
	out, err := EncryptKeeping([]byte(secretDoc), prev)
	require.NoError(t, err)

	assert.NotEmpty(t, encValues(enc))
	assert.Equal(t, encValues(enc), encValues(string(out)), "values keep their ciphertexts")
	assert.NotContains(t, string(out), a.recipient)
	for _, d := range decryptFuncs {
		_, err := d.fn(out, a.keyring)
		require.ErrorIs(t, err, ErrNoKey, d.name)
		plain, err := d.fn(out, b.keyring)
		require.NoError(t, err, d.name)
		assert.Equal(t, secretDoc, string(plain), d.name)
	}
}

// test that a .sops.yaml with key groups and shamir_threshold is read by
// sops' config package, encrypted as sops does, and that with fewer groups
// than the threshold the error names the groups that opened and those
// that did not.
func TestKeyGroupsThreshold(t *testing.T) {
	a, b, c := newTestKey(t), newTestKey(t), newTestKey(t)
	rules, err := ParseRules([]byte("creation_rules:\n  - shamir_threshold: 2\n    encrypted_regex: ^(value|values)$\n    key_groups:\n" +
		"      - age: [" + a.recipient + "]\n      - age: [" + b.recipient + "]\n      - age: [" + c.recipient + "]\n"))
	require.NoError(t, err)
	rule, err := rules.For("x.yaml")
	require.NoError(t, err)
	require.Len(t, rule.KeyGroups, 3)
	assert.Equal(t, 2, rule.ShamirThreshold)
	enc := encrypt(t, secretDoc, rule)
	assert.Contains(t, enc, "shamir_threshold: 2")

	for _, pair := range [][2]testKey{{a, b}, {a, c}, {b, c}} {
		kr, err := ParseKeyring(pair[0].identity + " " + pair[1].identity)
		require.NoError(t, err)
		plain, err := decryptNodeText([]byte(enc), kr)
		require.NoError(t, err)
		assert.Equal(t, secretDoc, string(plain))
	}
	for _, d := range decryptFuncs {
		_, err := d.fn([]byte(enc), b.keyring)
		require.ErrorIs(t, err, ErrNoKey, d.name)
		assert.Contains(t, err.Error(), "2 of 3 key groups must open (shamir_threshold), 1 did; opened key groups 2 (age); missing key groups: group 1: age recipients "+a.recipient+" (no loaded identity matches); group 3: age recipients "+c.recipient, d.name)
	}
}

// test that every key type .sops.yaml can name is built by sops' config
// package, and that a key sops refuses is reported with the rule.
func TestRulesOfEveryKeyType(t *testing.T) {
	rules, err := ParseRules([]byte(`creation_rules:
  - path_regex: ^vault/
    hc_vault_transit_uri: http://127.0.0.1:8200/v1/transit/keys/team
  - path_regex: ^kms/
    kms: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    gcp_kms: projects/p/locations/global/keyRings/r/cryptoKeys/k
    azure_keyvault: https://v.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef
  - path_regex: ^bad/
    hc_vault_transit_uri: "not a uri"
`))
	require.NoError(t, err)
	rule, err := rules.For("vault/a.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"http://127.0.0.1:8200/v1/transit/keys/team"}, rule.Keys())
	assert.Empty(t, rule.Recipients)
	rule, err = rules.For("kms/a.yaml")
	require.NoError(t, err)
	assert.Len(t, rule.Keys(), 3)
	_, err = rules.For("bad/a.yaml")
	assert.ErrorContains(t, err, "creation rule 3 for bad/a.yaml")
}

// test that a provider error loses any credential of the environment and
// stays on one line.
func TestSafeReasonRedactsCredentials(t *testing.T) {
	t.Setenv("VAULT_TOKEN", "hvs.not-a-real-token")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-not-real")
	got := safeReason(errors.New("token hvs.not-a-real-token\nrejected;  key wJalrXUtnFEMI-not-real"))
	assert.Equal(t, "token [redacted] rejected; key [redacted]", got)
}

// test that the Vault token goes to VAULT_ADDR only: a Vault key at another
// address, in a document or a rule, is refused before any request.
func TestVaultKeyElsewhereThanVaultAddrIsRefused(t *testing.T) {
	t.Setenv("VAULT_ADDR", "http://127.0.0.1:8200")
	t.Setenv("VAULT_TOKEN", "hvs.not-a-real-token")
	elsewhere := &hcvault.MasterKey{VaultAddress: "https://vault.example.net:8200", EnginePath: "transit", KeyName: "team", EncryptedKey: "vault:v1:AAAA"}
	_, err := (*Keyring)(nil).dataKey(sops.Metadata{KeyGroups: []sops.KeyGroup{{elsewhere}}})
	require.ErrorIs(t, err, ErrNoKey)
	assert.Contains(t, err.Error(), "hc_vault key https://vault.example.net:8200/v1/transit/keys/team: vault_address https://vault.example.net:8200 is not VAULT_ADDR (http://127.0.0.1:8200): the Vault token is not sent there")
	assert.NotContains(t, err.Error(), "hvs.not-a-real-token")

	_, err = Encrypt([]byte("value: x\n"), Rule{KeyGroups: []sops.KeyGroup{{elsewhere}}})
	assert.ErrorContains(t, err, "is not VAULT_ADDR")

	assert.NoError(t, checkVaultAddress(&hcvault.MasterKey{VaultAddress: "HTTP://127.0.0.1:8200/", EnginePath: "transit", KeyName: "team"}))
}

// test that with VAULT_ADDR unset no Vault key is used: the error names
// the key's address and says to set VAULT_ADDR to it, never the token.
func TestVaultKeyWithoutVaultAddrIsRefused(t *testing.T) {
	t.Setenv("VAULT_ADDR", "")
	t.Setenv("VAULT_TOKEN", "hvs.not-a-real-token")
	vk := &hcvault.MasterKey{VaultAddress: "https://vault.example.net:8200", EnginePath: "transit", KeyName: "team", EncryptedKey: "vault:v1:AAAA"}
	_, err := (*Keyring)(nil).dataKey(sops.Metadata{KeyGroups: []sops.KeyGroup{{vk}}})
	require.ErrorIs(t, err, ErrNoKey)
	assert.Contains(t, err.Error(), "hc_vault key https://vault.example.net:8200/v1/transit/keys/team: VAULT_ADDR is not set: the Vault token is sent to no address; set VAULT_ADDR=https://vault.example.net:8200 to use this key")
	assert.NotContains(t, err.Error(), "hvs.not-a-real-token")

	_, err = Encrypt([]byte("value: x\n"), Rule{KeyGroups: []sops.KeyGroup{{vk}}})
	assert.ErrorContains(t, err, "set VAULT_ADDR=https://vault.example.net:8200")
}

// test that origins compare scheme, host and port with default ports made
// explicit, and that anything else is another origin.
func TestSameOrigin(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"https://v", "https://v:443", true},
		{"http://v", "http://v:80/", true},
		{"HTTPS://V.example.net/v1", "https://v.example.net:443", true},
		{"http://[::1]:8200", "http://[::1]:8200", true},
		{"https://v", "http://v", false},
		{"https://v", "https://v:8200", false},
		{"http://v:443", "https://v", false},
		{"https://v", "https://w", false},
		{"https://v@evil", "https://v", false},
		{"v:8200", "v:8200", false},
		{"", "", false},
	} {
		assert.Equal(t, c.same, sameOrigin(c.a, c.b), "%q vs %q", c.a, c.b)
	}
}

// test that shamir_threshold 1 with several key groups, which sops cannot
// split, is refused with the rule and what to write instead.
func TestShamirThresholdOneIsRefused(t *testing.T) {
	a, b := newTestKey(t), newTestKey(t)
	rules, err := ParseRules([]byte("creation_rules:\n  - shamir_threshold: 1\n    key_groups:\n" +
		"      - age: [" + a.recipient + "]\n      - age: [" + b.recipient + "]\n"))
	require.NoError(t, err)
	_, err = rules.For("x.yaml")
	assert.ErrorContains(t, err, `shamir_threshold 1 with 2 key groups: sops splits the data key into shares, at least 2 of which must open; for "any one key", put the keys in one group`)
}
