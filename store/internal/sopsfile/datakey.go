package sopsfile

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/hcvault"
	"github.com/getsops/sops/v3/keys"
	"github.com/getsops/sops/v3/keyservice"
	"github.com/getsops/sops/v3/pgp"
	"github.com/getsops/sops/v3/shamir"
)

// dataKey recovers a document's data key as sops'
// Metadata.GetDataKeyWithKeyServices does: one part per key group, each
// from the first master key of the group that opens it, combined with
// shamir when there are several groups and enough parts. Age keys are
// opened with the keyring's identities (sops' age master key, without
// reloading identities from the environment for every file); every other
// key type goes through sops' local key service, which reads the
// environment of its provider (VAULT_ADDR/VAULT_TOKEN, GNUPGHOME, AWS_*…)
// as the sops CLI does.
func (k *Keyring) dataKey(m sops.Metadata) ([]byte, error) {
	if len(m.KeyGroups) == 0 {
		return nil, &IntegrityError{Reason: "sops metadata has no key groups"}
	}
	results := make([]groupResult, len(m.KeyGroups))
	var parts [][]byte
	need := threshold(m)
	for i, group := range m.KeyGroups {
		part, res, err := k.decryptGroup(group)
		if err != nil {
			return nil, fmt.Errorf("key group %d: %w", i+1, err)
		}
		results[i] = res
		if part != nil {
			parts = append(parts, part)
		}
		if len(parts) == need {
			break // later groups, perhaps added by whoever can push, are never contacted
		}
	}
	if len(parts) < need {
		return nil, k.noKey(m, results, need)
	}
	if len(m.KeyGroups) == 1 {
		return checkKeySize(parts[0])
	}
	dataKey, err := shamir.Combine(parts)
	if err != nil {
		return nil, &IntegrityError{Reason: "combine shamir parts of the data key: " + err.Error()}
	}
	return checkKeySize(dataKey)
}

// threshold is how many key groups must open for the data key: one group
// holds it whole; several hold shamir parts, shamir_threshold of which
// are needed (all of them when it is not set, as sops writes it then).
func threshold(m sops.Metadata) int {
	switch {
	case len(m.KeyGroups) == 1:
		return 1
	case m.ShamirThreshold > 0:
		return m.ShamirThreshold
	}
	return len(m.KeyGroups)
}

// checkKeySize rejects a data key of the wrong size, which sops would only
// notice as a failure of the first value.
func checkKeySize(key []byte) ([]byte, error) {
	if len(key) != dataKeySize {
		return nil, &IntegrityError{Reason: fmt.Sprintf("data key has %d bytes, want %d", len(key), dataKeySize)}
	}
	return key, nil
}

// groupResult says how one key group fared: whether it opened, and why
// each key that was tried failed.
type groupResult struct {
	opened   bool
	failures []string // "pgp key FINGERPRINT: reason", no credential
}

// decryptGroup decrypts the group's data key (or shamir part) with the
// first master key that opens it: age keys first, the keyring's own
// recipients before others, then PGP keys, then the others in document
// order (sops' default decryption order). An age key whose ciphertext is
// garbled or fails authentication is an integrity failure unless another
// key opens the group. A group no key opens returns no part and no error.
func (k *Keyring) decryptGroup(group sops.KeyGroup) ([]byte, groupResult, error) {
	var res groupResult
	key, integrity := k.decryptAge(group)
	if key != nil {
		res.opened = true
		return key, res, nil
	}
	for _, mk := range otherKeys(group) {
		if err := checkVaultAddress(mk); err != nil {
			res.failures = append(res.failures, keyName(mk)+": "+err.Error())
			continue
		}
		part, err := decryptWithService(mk)
		if err == nil {
			res.opened = true
			return part, res, nil
		}
		res.failures = append(res.failures, keyName(mk)+": "+safeReason(err))
	}
	if integrity != nil {
		return nil, res, integrity
	}
	return nil, res, nil
}

// decryptAge tries the group's age keys with the keyring's identities.
func (k *Keyring) decryptAge(group sops.KeyGroup) ([]byte, error) {
	if k.Empty() {
		return nil, nil
	}
	var integrity error
	for _, mk := range k.ordered(group) {
		sopsage.ParsedIdentities(k.ids).ApplyToMasterKey(mk)
		key, err := mk.Decrypt()
		if err == nil {
			return key, nil
		}
		var noMatch *age.NoIdentityMatchError
		if !errors.As(err, &noMatch) && integrity == nil {
			integrity = &IntegrityError{Reason: fmt.Sprintf("data key for age recipient %s: %v", mk.Recipient, err)}
		}
	}
	return nil, integrity
}

// otherKeys returns the group's master keys that are not age keys, PGP
// keys first.
func otherKeys(group sops.KeyGroup) []keys.MasterKey {
	var pgpKeys, rest []keys.MasterKey
	for _, key := range group {
		switch key.(type) {
		case *sopsage.MasterKey:
		case *pgp.MasterKey:
			pgpKeys = append(pgpKeys, key)
		default:
			rest = append(rest, key)
		}
	}
	return append(pgpKeys, rest...)
}

// keyTimeout bounds one master key's attempt to decrypt the data key, so
// an unresponsive Vault or KMS named in a document cannot hang a command.
// A variable only so tests can shorten it.
var keyTimeout = 30 * time.Second

// contextDecrypter is a sops master key that decrypts with a context (every
// provider's key in sops v3.13; sops' local key service drops the context).
type contextDecrypter interface {
	DecryptContext(ctx context.Context) ([]byte, error)
}

// decryptWithService decrypts the data key a master key holds, within
// keyTimeout: with the key's own DecryptContext, which is what sops' local
// key service calls (without a context) for `sops decrypt`, or through
// that service for a key without one.
func decryptWithService(mk keys.MasterKey) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyTimeout)
	defer cancel()
	if cd, ok := mk.(contextDecrypter); ok {
		return cd.DecryptContext(ctx)
	}
	svcKey := keyservice.KeyFromMasterKey(mk)
	rsp, err := keyservice.NewLocalClient().Decrypt(ctx, &keyservice.DecryptRequest{
		Key:        &svcKey,
		Ciphertext: mk.EncryptedDataKey(),
	})
	if err != nil {
		return nil, err
	}
	return rsp.Plaintext, nil
}

// ordered returns the group's age master keys, the keyring's own
// recipients first. The recipient field is not authenticated, so it is
// only a hint: every age key is tried.
func (k *Keyring) ordered(group sops.KeyGroup) []*sopsage.MasterKey {
	var mine, others []*sopsage.MasterKey
	for _, key := range group {
		mk, ok := key.(*sopsage.MasterKey)
		switch {
		case !ok:
		case slices.Contains(k.recipients, mk.Recipient):
			mine = append(mine, mk)
		default:
			others = append(others, mk)
		}
	}
	return append(mine, others...)
}

// checkVaultAddress refuses a Vault transit key whose vault_address does
// not have the origin of VAULT_ADDR, and every Vault key when VAULT_ADDR is
// unset. sops sends VAULT_TOKEN (or ~/.vault-token) to whatever address a
// document's metadata or .sops.yaml names, and both are plain text anyone
// who can push may edit: the token goes only where the reader said it may.
// Scheme, host and port are compared, default ports made explicit.
func checkVaultAddress(mk keys.MasterKey) error {
	vk, ok := mk.(*hcvault.MasterKey)
	if !ok {
		return nil
	}
	want := os.Getenv("VAULT_ADDR")
	switch {
	case want == "":
		return fmt.Errorf("VAULT_ADDR is not set: the Vault token is sent to no address; set VAULT_ADDR=%s to use this key", vk.VaultAddress)
	case sameOrigin(vk.VaultAddress, want):
		return nil
	}
	return fmt.Errorf("vault_address %s is not VAULT_ADDR (%s): the Vault token is not sent there", vk.VaultAddress, want)
}

// sameOrigin reports whether two URLs have the same scheme, host and port
// (https://v and https://v:443 are the same origin). A URL without a
// scheme or host has no origin.
func sameOrigin(a, b string) bool {
	sa, ha, pa, ok := origin(a)
	if !ok {
		return false
	}
	sb, hb, pb, ok := origin(b)
	return ok && sa == sb && strings.EqualFold(ha, hb) && pa == pb
}

// origin splits a URL into its lower-case scheme, host and port, the port
// the scheme's default when the URL names none.
func origin(raw string) (scheme, host, port string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Hostname() == "" {
		return "", "", "", false
	}
	scheme, host, port = strings.ToLower(u.Scheme), u.Hostname(), u.Port()
	if port == "" {
		port = defaultPorts[scheme]
	}
	return scheme, host, port, true
}

// defaultPorts are the ports a URL of a scheme means when it names none.
var defaultPorts = map[string]string{"http": "80", "https": "443"}
