package sopsfile

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// test that Rule.Encrypts decides as sops does for each kind of rule,
// including the weakened ones .sops.yaml could carry.
func TestRuleEncrypts(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule Rule
		keys []string
		want bool
	}{
		{"default encrypts", Rule{}, []string{"secrets", "value"}, true},
		{"default _unencrypted suffix", Rule{}, []string{"note_unencrypted"}, false},
		{"store ledger rule", Rule{UnencryptedRegex: "^(version|kind|secret_id|fingerprint|status)$"}, []string{"secrets", "value"}, true},
		{"store ledger rule, metadata", Rule{UnencryptedRegex: "^(version|kind|secret_id|fingerprint|status)$"}, []string{"secrets", "status"}, false},
		{"encrypted_regex ^nothing$", Rule{EncryptedRegex: "^nothing$"}, []string{"secrets", "value"}, false},
		{"encrypted_regex on a parent", Rule{EncryptedRegex: "^values$"}, []string{"values", "db/PASSWORD"}, true},
		{"unencrypted_regex on a parent", Rule{UnencryptedRegex: "^secrets$"}, []string{"secrets", "value"}, false},
		{"unencrypted_suffix on the id", Rule{UnencryptedSuffix: "_PASSWORD"}, []string{"values", "db/ROOT_PASSWORD"}, false},
		{"encrypted_suffix elsewhere", Rule{EncryptedSuffix: "_secret"}, []string{"value"}, false},
	} {
		assert.Equal(t, tc.want, tc.rule.Encrypts(tc.keys...), tc.name)
	}
}
