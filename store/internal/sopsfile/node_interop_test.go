package sopsfile

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cliRules are .sops.yaml rule options, one per variant sops offers.
var cliRules = []struct {
	name, extra string
}{
	{"default", ""},
	{"encrypted_regex", "encrypted_regex: ^(value|values|data)$"},
	{"unencrypted_regex", "unencrypted_regex: ^(name|description|plain|c)$"},
	{"encrypted_suffix", "encrypted_suffix: _secret"},
	{"unencrypted_suffix", "unencrypted_suffix: _clear"},
	{"mac_only_encrypted", "encrypted_regex: ^(value|values|data)$\n    mac_only_encrypted: true"},
	{"encrypted_comment_regex", "encrypted_comment_regex: sops:enc"},
	{"unencrypted_comment_regex", "unencrypted_comment_regex: sops:clear"},
}

// TestInteropDecryptNodeOpensCLIFiles: what `sops encrypt` writes under
// each rule variant, DecryptNode opens to the values `sops decrypt` prints
// (and to the plaintext's), keeping the file's lines and comments.
func TestInteropDecryptNodeOpensCLIFiles(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	docs := append([]struct{ name, doc string }{{"marked", commentRulesDoc}}, equivalenceDocs...)
	for _, r := range cliRules {
		for _, d := range docs {
			t.Run(r.name+"/"+d.name, func(t *testing.T) {
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, ".sops.yaml"), "creation_rules:\n  - age: "+k.recipient+"\n    "+r.extra+"\n")
				writeFile(t, filepath.Join(dir, "doc.yaml"), d.doc)
				enc, stderr, err := cli.run(dir, "encrypt", "doc.yaml")
				require.NoError(t, err, "sops encrypt: %s", stderr)
				encPath := writeFile(t, filepath.Join(dir, "enc.yaml"), enc)
				plain, stderr, err := cli.decrypt(t, encPath)
				require.NoError(t, err, "sops decrypt: %s", stderr)
				checkEquivalent(t, []byte(enc), d.doc, []byte(plain), k.keyring)
			})
		}
	}
}

// TestInteropDecryptNodeAgreesOnTampering: on every edit, DecryptNode
// accepts what `sops decrypt` accepts, with the same values, and refuses
// what it refuses; except the edits the seal sees (the documents are
// sealed), which only DecryptNode refuses.
func TestInteropDecryptNodeAgreesOnTampering(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	only := func(r Rule) Rule { r.Recipients = []string{k.recipient}; return r }
	enc := encrypt(t, secretDoc, regexRule(k))
	encDefault := encrypt(t, "value: "+canary+"\nother: b\na: 1\nlist:\n    - "+canary+"\n    - two\n", only(Rule{}))
	encComments := encrypt(t, commentsDoc, only(Rule{}))
	encMacOnly := encrypt(t, secretDoc, only(Rule{EncryptedRegex: "^value$", MACOnlyEncrypted: true}))
	firstENC := regexp.MustCompile(`ENC\[AES256_GCM,data:([^,]+)`)
	firstComment := regexp.MustCompile(`#ENC\[AES256_GCM,data:[^,]+`)
	tests := []struct {
		name   string
		doc    string
		accept bool // by sops
		seal   bool // refused by DecryptNode because of the seal
	}{
		{"untouched", enc, true, false},
		{"edit a clear value", replace("description: clear text", "description: changed")(enc), false, false},
		{"add a clear key", replace("name: web\n", "name: web\nextra: x\n")(enc), false, false},
		{"edit an ENC value", firstENC.ReplaceAllStringFunc(enc, func(m string) string { return m[:len(m)-4] + "AAAA" }), false, false},
		{"delete the mac", deleteLine("    mac: ")(enc), false, false},
		{"change lastmodified", replaceRE(`lastmodified: "\d{4}`, `lastmodified: "2001`)(enc), false, false},
		{"change encrypted_regex", replace("encrypted_regex: ^(value|values)$", "encrypted_regex: ^(value|values|name)$")(enc), false, false},
		{"invalid encrypted_regex", replace("encrypted_regex: ^(value|values)$", "encrypted_regex: ^(value|values$")(enc), false, false},
		{"type tag str to int", replace("type:str]\nother", "type:int]\nother")(encDefault), false, false},
		{"type tag to bytes", replace("type:str]\nother", "type:bytes]\nother")(encDefault), false, false},
		{"rename an encrypted key", replace("\nother:", "\nmoved:")(encDefault), false, false},
		{"swap two ENC values", swapValues("value", "other")(encDefault), false, false},
		{"swap two items of a list", swapLines(encDefault, "    - ENC", 0, 1), false, false},
		{"drop an encrypted value", deleteLine("other: ")(encDefault), false, false},
		{"non-string key", replace("\nother:", "\n7:")(encDefault), false, false},
		{"duplicate key", replace("name: web\n", "name: web\nname: web\n")(enc), false, false},
		{"integer above MaxInt64", replace("port: 8080", "port: 18446744073709551615")(enc), false, false},
		{"rename a key with a clear value", replace("description: clear", "summary: clear")(enc), true, true},
		{"edit a clear comment", replace("# a secret", "# changed")(enc), true, false},
		{"change the YAML type of a clear value", replace("port: 8080", `port: "8080"`)(enc), true, true},
		{"add a key with an empty value", replace("name: web\n", "name: web\nextra: \"\"\n")(enc), true, true},
		{"add a null value", replace("name: web\n", "name: web\nextra: null\n")(enc), true, true},
		{"change the type tag of an encrypted value", replace("type:int", "type:str")(encDefault), true, true},
		{"garble an encrypted comment", firstComment.ReplaceAllStringFunc(encComments, func(m string) string { return m[:len(m)-2] + "AA" }), true, false},
		{"change an encrypted comment's type tag to str", strings.Replace(encComments, "type:comment]", "type:str]", 1), false, false},
		{"edit a clear value under mac_only_encrypted", replace("clear text", "changed")(encMacOnly), true, true},
		{"edit an encrypted value under mac_only_encrypted", firstENC.ReplaceAllStringFunc(encMacOnly, func(m string) string { return m[:len(m)-4] + "AAAA" }), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "doc.yaml"), tt.doc)
			out, stderr, cliErr := cli.decrypt(t, path)
			require.Equal(t, tt.accept, cliErr == nil, "sops decrypt: %s", stderr)
			node, err := DecryptNode([]byte(tt.doc), k.keyring)
			if tt.seal {
				assert.True(t, isSealError(err), "%v", err)
				assertSafe(t, err)
				return
			}
			if !tt.accept {
				require.Error(t, err)
				assertSafe(t, err)
				var ie *IntegrityError
				var fe *FormatError
				assert.True(t, errors.As(err, &ie) || errors.As(err, &fe), "%T: %v", err, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, sopsLossy(sopsValues(t, out)), sopsLossy(values(t, node)))
		})
	}
}
