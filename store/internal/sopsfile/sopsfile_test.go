package sopsfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// canary is a plaintext value that must never appear in ciphertext or errors.
const canary = "CANARY-7f3a9c-hunter2"

// testKey is a throwaway age identity.
type testKey struct {
	recipient string
	identity  string
	keyring   *Keyring
}

func newTestKey(t testing.TB) testKey {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	kr, err := ParseKeyring(id.String())
	require.NoError(t, err)
	return testKey{recipient: id.Recipient().String(), identity: id.String(), keyring: kr}
}

// regexRule is the rule secretsctl documents use: only `value`/`values`
// subtrees are encrypted, the rest stays readable.
func regexRule(k testKey) Rule {
	return Rule{Recipients: []string{k.recipient}, EncryptedRegex: "^(value|values)$"}
}

// secretDoc is in sops' canonical output form (four-space indentation), so
// a round trip gives it back byte for byte.
const secretDoc = `# a secret
name: web
description: clear text # inline comment
value: ` + canary + `
nested:
    values:
        - one
        - two
    port: 8080
    value: 42
list:
    - value: true
      note: hi
    - value: 1.5
empty: ""
nothing: null
`

func encrypt(t testing.TB, plain string, rule Rule) string {
	t.Helper()
	out, err := Encrypt([]byte(plain), rule)
	require.NoError(t, err)
	require.NotContains(t, string(out), canary)
	return string(out)
}

// assertSafe checks that an error does not leak the canary.
func assertSafe(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		assert.NotContains(t, err.Error(), canary)
		assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), canary)
	}
}

// inlineCommentMoved is secretDoc after a round trip under a rule that
// encrypts comments: sops decrypts a comment without its "inline" flag, so
// an inline comment comes back on its own line above its key (the sops CLI
// does the same).
var inlineCommentMoved = strings.Replace(secretDoc,
	"description: clear text # inline comment\n", "# inline comment\ndescription: clear text\n", 1)

func TestRoundTrip(t *testing.T) {
	k := newTestKey(t)
	only := func(r Rule) Rule { r.Recipients = []string{k.recipient}; return r }
	tests := []struct {
		name string
		doc  string
		rule Rule
		want string // when it differs from doc
	}{
		{"default rule", secretDoc, only(Rule{}), inlineCommentMoved},
		{"encrypted_regex", secretDoc, regexRule(k), ""},
		{"unencrypted_regex", secretDoc, only(Rule{UnencryptedRegex: "^(name|description)$"}), inlineCommentMoved},
		{"encrypted_suffix", "db_secret: " + canary + "\nhost: x\n", only(Rule{EncryptedSuffix: "_secret"}), ""},
		{"unencrypted_suffix", "host_clear: x\npassword: " + canary + "\n", only(Rule{UnencryptedSuffix: "_clear"}), ""},
		{"mac_only_encrypted", secretDoc, only(Rule{EncryptedRegex: "^value$", MACOnlyEncrypted: true}), ""},
		{"two recipients", secretDoc, Rule{Recipients: []string{newTestKey(t).recipient, k.recipient}, EncryptedRegex: "^value$"}, ""},
		{"multi-line value", "value: |\n    line one\n    " + canary + "\n", only(Rule{}), ""},
		{"two documents", "value: " + canary + "\n---\nvalue: b\n", only(Rule{}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := encrypt(t, tt.doc, tt.rule)
			assert.True(t, IsEncrypted([]byte(enc)))
			plain, err := Decrypt([]byte(enc), k.keyring)
			require.NoError(t, err)
			want := tt.want
			if want == "" {
				want = tt.doc
			}
			if strings.Contains(tt.doc, "\n---\n") {
				assert.NotContains(t, string(plain), "secretsctl_seal", "several documents are not sealed")
			} else {
				assert.Regexp(t, `(?m)^secretsctl_seal: v1:\S+$`, string(plain), "Decrypt shows the seal")
			}
			assert.Equal(t, want, stripSeal(string(plain)))
		})
	}
}

func TestKeyOrderPreserved(t *testing.T) {
	k := newTestKey(t)
	doc := "zeta: 1\nalpha: 2\nmid:\n    value: 3\n    b: 4\n    a: 5\nbeta: 6\n"
	enc := encrypt(t, doc, regexRule(k))
	keys := regexp.MustCompile(`(?m)^\s*(\w+):`).FindAllStringSubmatch(enc, 7)
	var got []string
	for _, m := range keys {
		got = append(got, m[1])
	}
	assert.Equal(t, []string{"zeta", "alpha", "mid", "value", "b", "a", "beta"}, got)
	plain, err := decryptText([]byte(enc), k.keyring)
	require.NoError(t, err)
	assert.Equal(t, doc, string(plain))
}

func TestEncryptedRegexLeavesOtherValuesClear(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	var doc struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
		Nested      struct {
			Values []string `yaml:"values"`
			Port   int      `yaml:"port"`
			Value  string   `yaml:"value"`
		} `yaml:"nested"`
		List []map[string]string `yaml:"list"`
		Sops map[string]any      `yaml:"sops"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(enc), &doc))
	assert.Equal(t, "web", doc.Name)
	assert.Equal(t, "clear text", doc.Description)
	assert.Equal(t, 8080, doc.Nested.Port)
	assert.Equal(t, "hi", doc.List[0]["note"])
	isENC := func(s string) bool { return strings.HasPrefix(s, "ENC[AES256_GCM,data:") }
	leaves := append([]string{doc.Value, doc.Nested.Value, doc.List[0]["value"], doc.List[1]["value"]}, doc.Nested.Values...)
	for _, v := range leaves {
		assert.True(t, isENC(v), "value leaf %q is not encrypted", v)
	}
	assert.Equal(t, "^(value|values)$", doc.Sops["encrypted_regex"])
	assert.Equal(t, "3.13.3", doc.Sops["version"])
	assert.NotEmpty(t, doc.Sops["mac"])
}

// tamper edits an encrypted document; each edit must fail verification.
func TestTamperIsIntegrityError(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	encDefault := encrypt(t, "value: "+canary+"\nother: b\n", Rule{Recipients: []string{k.recipient}})
	firstENC := regexp.MustCompile(`ENC\[AES256_GCM,data:([^,]+)`)
	tests := []struct {
		name   string
		doc    string
		mutate func(string) string
		reason string
	}{
		{"edit a clear value", enc, replace("description: clear text", "description: changed"), "mac mismatch"},
		{"add a clear key", enc, replace("name: web\n", "name: web\nextra: x\n"), "mac mismatch"},
		{"edit an ENC value", enc, func(s string) string {
			return firstENC.ReplaceAllStringFunc(s, func(m string) string { return m[:len(m)-4] + "AAAA" })
		}, "failed authentication"},
		{"delete the mac", enc, deleteLine("    mac: "), "no mac"},
		{"empty the mac", enc, replaceRE(`(?m)^    mac: .*$`, `    mac: ""`), "no mac"},
		{"change lastmodified", enc, replaceRE(`lastmodified: "\d{4}`, `lastmodified: "2001`), "mac: ciphertext failed authentication"},
		{"change encrypted_regex", enc, replace("encrypted_regex: ^(value|values)$", "encrypted_regex: ^(value|values|name)$"), "not an ENC"},
		{"two crypt rules", enc, replace("    encrypted_regex:", "    unencrypted_suffix: _x\n    encrypted_regex:"), "invalid sops metadata"},
		{"sops is not a mapping", "value: x\nsops: 3\n", nil, "invalid sops metadata"},
		{"type tag str to int", encDefault, replace("type:str]\nother", "type:int]\nother"), "type tag"},
		{"canary type tag str to int", encDefault, func(s string) string { return strings.Replace(s, "type:str]", "type:int]", 1) }, "type tag"},
		{"rename an encrypted key", encDefault, replace("\nother:", "\nmoved:"), "failed authentication"},
		{"swap two ENC values", encDefault, swapValues("value", "other"), "failed authentication"},
		{"drop an encrypted value", encDefault, deleteLine("other: "), "mac mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc
			if tt.mutate != nil {
				doc = tt.mutate(doc)
				require.NotEqual(t, tt.doc, doc, "mutation did not change the document")
			}
			for _, d := range decryptFuncs {
				_, err := d.fn([]byte(doc), k.keyring)
				var ie *IntegrityError
				require.ErrorAs(t, err, &ie, d.name)
				assert.Contains(t, ie.Reason, tt.reason, d.name)
				assertSafe(t, err)
			}
		})
	}
}

func replace(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

func replaceRE(expr, repl string) func(string) string {
	return func(s string) string { return regexp.MustCompile(expr).ReplaceAllLiteralString(s, repl) }
}

func deleteLine(prefix string) func(string) string {
	return func(s string) string {
		return regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(prefix)+`.*\n`).ReplaceAllLiteralString(s, "")
	}
}

// swapValues swaps the values of two top-level keys.
func swapValues(a, b string) func(string) string {
	return func(s string) string {
		re := func(k string) *regexp.Regexp { return regexp.MustCompile(`(?m)^` + k + `: (.*)$`) }
		va, vb := re(a).FindStringSubmatch(s)[1], re(b).FindStringSubmatch(s)[1]
		s = re(a).ReplaceAllLiteralString(s, a+": "+vb)
		return re(b).ReplaceAllLiteralString(s, b+": "+va)
	}
}

// TestMACDoesNotCover pins down what the sops format leaves unauthenticated
// (the sops CLI accepts the same edits): the MAC is a hash of values only.
// Decrypt, like sops, accepts every edit. DecryptNode accepts them on an
// unsealed document (here: one another tool re-encrypted), and refuses on a
// sealed one all but the comment edit.
func TestMACDoesNotCover(t *testing.T) {
	k := newTestKey(t)
	sealed := encrypt(t, secretDoc, regexRule(k))
	sealedDefault := encrypt(t, "a: 1\nb: x\n", Rule{Recipients: []string{k.recipient}})
	unsealed := reencrypt(t, sealed, k.keyring, time.Second, false, nil)
	unsealedDefault := reencrypt(t, sealedDefault, k.keyring, time.Second, false, nil)
	tests := []struct {
		name       string
		onDefault  bool
		edit       func(string) string
		want       string
		sealCovers bool
	}{
		{"renaming a key with a clear value", false, replace("description: clear", "summary: clear"), "summary: clear text", true},
		{"editing a clear comment", false, replace("# a secret", "# changed"), "# changed\n", false},
		{"changing the YAML type of a clear value", false, replace("port: 8080", `port: "8080"`), `port: "8080"`, true},
		{"adding a key with an empty value", false, replace("name: web\n", "name: web\nextra: \"\"\n"), `extra: ""`, true},
		{"adding a key with a null value", false, replace("name: web\n", "name: web\nextra: null\n"), `extra: null`, true},
		{"swapping two keys whose values the MAC skips", false, func(s string) string { return swapLines(s, "empty: ", 0, -1, "nothing: ") }, "nothing: null\nempty: \"\"", true},
		{"moving bytes between adjacent clear values", false, replace("name: web\ndescription: clear text", "name: webclear\ndescription: \" text\""), "name: webclear\n", true},
		{"changing the type tag of an encrypted value", true, replace("type:int", "type:str"), `a: "1"`, true},
	}
	for _, tt := range tests {
		for _, v := range []struct {
			name   string
			doc    string
			sealed bool
		}{{"sealed", sealed, true}, {"unsealed", unsealed, false}} {
			t.Run(tt.name+"/"+v.name, func(t *testing.T) {
				doc := v.doc
				if tt.onDefault {
					doc = map[bool]string{true: sealedDefault, false: unsealedDefault}[v.sealed]
				}
				doc = tt.edit(doc)
				plain, err := decryptText([]byte(doc), k.keyring)
				require.NoError(t, err, "Decrypt")
				assert.Contains(t, string(plain), tt.want, "Decrypt")
				node, info, err := DecryptNodeInfo([]byte(doc), k.keyring)
				if v.sealed && tt.sealCovers {
					assert.True(t, isSealError(err), "%v", err)
					assertSafe(t, err)
					return
				}
				require.NoError(t, err, "DecryptNode")
				assert.Equal(t, v.sealed, info.Sealed)
				text, err := encodeNode(node)
				require.NoError(t, err)
				assert.Contains(t, string(text), tt.want, "DecryptNode")
			})
		}
	}
}

// TestMACOnlyEncryptedDoesNotCoverClearValues: with mac_only_encrypted, as
// in sops, the MAC leaves clear values unauthenticated; only a current seal
// covers them.
func TestMACOnlyEncryptedDoesNotCoverClearValues(t *testing.T) {
	k := newTestKey(t)
	rule := regexRule(k)
	rule.MACOnlyEncrypted = true
	sealed := encrypt(t, secretDoc, rule)
	unsealed := reencrypt(t, sealed, k.keyring, time.Second, false, nil)
	for _, v := range []struct {
		name   string
		doc    string
		sealed bool
	}{{"sealed", sealed, true}, {"unsealed", unsealed, false}} {
		doc := []byte(strings.Replace(v.doc, "clear text", "changed", 1))
		plain, err := Decrypt(doc, k.keyring)
		require.NoError(t, err, "%s: mac_only_encrypted leaves clear values unauthenticated, as in sops", v.name)
		assert.Contains(t, string(plain), "description: changed", v.name)
		node, info, err := DecryptNodeInfo(doc, k.keyring)
		if v.sealed {
			assert.True(t, isSealError(err), "%s: %v", v.name, err)
			continue
		}
		require.NoError(t, err, v.name)
		assert.Equal(t, Info{Sealed: false, MACOnlyEncrypted: true}, info, v.name)
		text, err := encodeNode(node)
		require.NoError(t, err)
		assert.Contains(t, string(text), "description: changed", v.name)
	}
}

func TestDecryptWithoutMatchingKeyIsErrNoKey(t *testing.T) {
	k := newTestKey(t)
	enc := []byte(encrypt(t, secretDoc, regexRule(k)))
	other := newTestKey(t)
	empty, err := LoadKeyring(mapEnv(nil))
	require.NoError(t, err)
	tests := []struct {
		name string
		kr   *Keyring
	}{
		{"wrong key", other.keyring},
		{"empty keyring", empty},
		{"nil keyring", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range decryptFuncs {
				_, err := d.fn(enc, tt.kr)
				require.ErrorIs(t, err, ErrNoKey, d.name)
				assert.Contains(t, err.Error(), k.recipient)
				for _, env := range []string{"SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY", "SOPS_AGE_KEY_CMD"} {
					assert.Contains(t, err.Error(), env)
				}
				var ie *IntegrityError
				assert.False(t, errors.As(err, &ie))
				assertSafe(t, err)
			}
		})
	}
}

func TestDecryptTriesEveryIdentity(t *testing.T) {
	k, other := newTestKey(t), newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	kr, err := ParseKeyring(other.identity + "\n" + k.identity)
	require.NoError(t, err)
	for _, d := range decryptFuncs {
		plain, err := d.fn([]byte(enc), kr)
		require.NoError(t, err, d.name)
		assert.Equal(t, secretDoc, string(plain), d.name)
	}
}

func TestDecryptConcurrently(t *testing.T) {
	k := newTestKey(t)
	enc := []byte(encrypt(t, secretDoc, regexRule(k)))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			d := decryptFuncs[i%len(decryptFuncs)]
			plain, err := d.fn(enc, k.keyring)
			assert.NoError(t, err, d.name)
			assert.Equal(t, secretDoc, string(plain), d.name)
		})
	}
	wg.Wait()
}

func TestShamirKeyGroups(t *testing.T) {
	a, b := newTestKey(t), newTestKey(t)
	store := newStore()
	branches, err := store.LoadPlainFile([]byte(secretDoc))
	require.NoError(t, err)
	ga, err := masterKeys([]string{a.recipient})
	require.NoError(t, err)
	gb, err := masterKeys([]string{b.recipient})
	require.NoError(t, err)
	tree := sops.Tree{Branches: branches, Metadata: metadataFor(regexRule(a), []sops.KeyGroup{ga, gb})}
	require.NoError(t, encryptTree(&tree))
	enc, err := store.EmitEncryptedFile(tree)
	require.NoError(t, err)
	require.Contains(t, string(enc), "shamir_threshold: 2")

	both, err := ParseKeyring(a.identity + " " + b.identity)
	require.NoError(t, err)
	for _, d := range decryptFuncs {
		_, err = d.fn(enc, a.keyring)
		require.ErrorIs(t, err, ErrNoKey, d.name)
		plain, err := d.fn(enc, both)
		require.NoError(t, err, d.name)
		assert.Equal(t, secretDoc, string(plain), d.name)
	}
}

func TestCleartext(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	clear, err := Cleartext([]byte(enc))
	require.NoError(t, err)
	assert.NotContains(t, string(clear), "sops:")
	assert.NotContains(t, string(clear), "lastmodified")
	assert.NotContains(t, string(clear), canary)
	assert.Contains(t, string(clear), "# a secret\nname: web\ndescription: clear text # inline comment\nvalue: ENC[AES256_GCM,")
	assert.Contains(t, string(clear), "    port: 8080\n")

	_, err = Cleartext([]byte("name: web\nvalue: " + canary + "\n"))
	var fe *FormatError
	require.ErrorAs(t, err, &fe)
	assertSafe(t, err)
}

func TestFormatErrors(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	tests := []struct {
		name  string
		input string
		op    func([]byte) ([]byte, error)
	}{
		{"decrypt: not yaml", "value: [" + canary, decryptWith(k)},
		{"decrypt: scalar document", canary, decryptWith(k)},
		{"decrypt: plain yaml", "value: " + canary + "\n", decryptWith(k)},
		{"decrypt: empty", "", decryptWith(k)},
		{"decrypt: sequence", "- " + canary + "\n", decryptWith(k)},
		{"decrypt node: not yaml", "value: [" + canary, decryptNodeWith(k)},
		{"decrypt node: scalar document", canary, decryptNodeWith(k)},
		{"decrypt node: plain yaml", "value: " + canary + "\n", decryptNodeWith(k)},
		{"decrypt node: empty", "", decryptNodeWith(k)},
		{"decrypt node: sequence", "- " + canary + "\n", decryptNodeWith(k)},
		{"cleartext node: scalar", canary, cleartextNodeText},
		{"cleartext node: plain yaml", "value: " + canary + "\n", cleartextNodeText},
		{"encrypt: scalar document", canary, encryptWith(k)},
		{"encrypt: quoted scalar", `"` + canary + `"`, encryptWith(k)},
		{"encrypt: not yaml", "a: b\n  value: " + canary + ": c\n", encryptWith(k)},
		{"encrypt: duplicate key", "value: " + canary + "\nvalue: x\n", encryptWith(k)},
		{"encrypt: empty", "", encryptWith(k)},
		{"encrypt: already encrypted", enc, encryptWith(k)},
		{"cleartext: scalar", canary, Cleartext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.op([]byte(tt.input))
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			assertSafe(t, err)
		})
	}
}

func decryptWith(k testKey) func([]byte) ([]byte, error) {
	return func(b []byte) ([]byte, error) { return Decrypt(b, k.keyring) }
}

func decryptNodeWith(k testKey) func([]byte) ([]byte, error) {
	return func(b []byte) ([]byte, error) { return decryptNodeText(b, k.keyring) }
}

func encryptWith(k testKey) func([]byte) ([]byte, error) {
	return func(b []byte) ([]byte, error) { return Encrypt(b, regexRule(k)) }
}

func TestEncryptRejectsBadRules(t *testing.T) {
	k := newTestKey(t)
	tests := []struct {
		name string
		rule Rule
		want string
	}{
		{"no recipients", Rule{}, "no master keys"},
		{"bad recipient", Rule{Recipients: []string{"age1nope"}}, "age1nope"},
		{"two options", Rule{Recipients: []string{k.recipient}, EncryptedRegex: "a", UnencryptedSuffix: "_u"}, "more than one"},
		{"bad regex", Rule{Recipients: []string{k.recipient}, EncryptedRegex: "("}, "regex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encrypt([]byte("value: "+canary+"\n"), tt.rule)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assertSafe(t, err)
		})
	}
}

func TestIsEncrypted(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	tests := []struct {
		name string
		data string
		want bool
	}{
		{"encrypted", enc, true},
		{"plain", secretDoc, false},
		{"no mac", deleteLine("    mac: ")(enc), false},
		{"sops not a mapping", "sops: 3\n", false},
		{"not yaml", "a: [", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, IsEncrypted([]byte(tt.data)))
		})
	}
}

// mapEnv is a getenv over a map.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoadKeyring(t *testing.T) {
	a, b := newTestKey(t), newTestKey(t)
	dir := t.TempDir()
	keyFile := writeFile(t, filepath.Join(dir, "keys.txt"), "# created: today\n# public key: "+a.recipient+"\n"+a.identity+"\n")
	bothFile := writeFile(t, filepath.Join(dir, "both.txt"), a.identity+"\n\n"+b.identity+"\n")
	xdg := filepath.Join(dir, "xdg")
	writeFile(t, filepath.Join(xdg, "sops", "age", "keys.txt"), b.identity+"\n")
	home := filepath.Join(dir, "home")
	writeFile(t, filepath.Join(home, ".config", "sops", "age", "keys.txt"), a.identity+"\n")
	empty := filepath.Join(dir, "nothing-here")

	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing configured", map[string]string{"HOME": empty}, nil},
		{"no HOME at all", nil, nil},
		{"SOPS_AGE_KEY", map[string]string{"SOPS_AGE_KEY": a.identity, "HOME": empty}, []string{a.recipient}},
		{"SOPS_AGE_KEY several lines", map[string]string{"SOPS_AGE_KEY": a.identity + "\n# comment\n" + b.identity, "HOME": empty}, []string{a.recipient, b.recipient}},
		{"SOPS_AGE_KEY several per line", map[string]string{"SOPS_AGE_KEY": a.identity + " " + b.identity, "HOME": empty}, []string{a.recipient, b.recipient}},
		{"SOPS_AGE_KEY_FILE", map[string]string{"SOPS_AGE_KEY_FILE": keyFile, "HOME": empty}, []string{a.recipient}},
		{"SOPS_AGE_KEY_FILE two keys", map[string]string{"SOPS_AGE_KEY_FILE": bothFile, "HOME": empty}, []string{a.recipient, b.recipient}},
		{"SOPS_AGE_KEY_CMD", map[string]string{"SOPS_AGE_KEY_CMD": "cat " + keyFile, "HOME": empty}, []string{a.recipient}},
		{"SOPS_AGE_KEY_CMD quoted", map[string]string{"SOPS_AGE_KEY_CMD": `cat "` + bothFile + `"`, "HOME": empty}, []string{a.recipient, b.recipient}},
		{"default under XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home}, []string{b.recipient}},
		{"default under HOME/.config", map[string]string{"HOME": home}, []string{a.recipient}},
		{"relative XDG_CONFIG_HOME disables the default", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": home}, nil},
		{"all sources combined", map[string]string{"SOPS_AGE_KEY": b.identity, "SOPS_AGE_KEY_FILE": keyFile, "XDG_CONFIG_HOME": xdg}, []string{b.recipient, a.recipient, b.recipient}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kr, err := LoadKeyring(mapEnv(tt.env))
			require.NoError(t, err)
			assert.Equal(t, tt.want, kr.Recipients())
			assert.Equal(t, len(tt.want) == 0, kr.Empty())
		})
	}
}

func TestLoadKeyringDecrypts(t *testing.T) {
	k := newTestKey(t)
	enc := []byte(encrypt(t, secretDoc, regexRule(k)))
	keyFile := writeFile(t, filepath.Join(t.TempDir(), "keys.txt"), k.identity+"\n")
	kr, err := LoadKeyring(mapEnv(map[string]string{"SOPS_AGE_KEY_CMD": "cat " + keyFile}))
	require.NoError(t, err)
	plain, err := decryptText(enc, kr)
	require.NoError(t, err)
	assert.Equal(t, secretDoc, string(plain))
}

func TestLoadKeyringErrors(t *testing.T) {
	k := newTestKey(t)
	dir := t.TempDir()
	secret := strings.TrimPrefix(k.identity, "AGE-SECRET-KEY-1")
	// Change the last character (part of the bech32 checksum) so the key no
	// longer parses; pick a different character whatever the last one is.
	last := "Q"
	if strings.HasSuffix(k.identity, "Q") {
		last = "P"
	}
	broken := k.identity[:len(k.identity)-1] + last
	bad := writeFile(t, filepath.Join(dir, "bad.txt"), broken+"\n")
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing key file", map[string]string{"SOPS_AGE_KEY_FILE": filepath.Join(dir, "missing")}, "SOPS_AGE_KEY_FILE"},
		{"malformed key file", map[string]string{"SOPS_AGE_KEY_FILE": bad}, "line 1"},
		{"malformed inline key", map[string]string{"SOPS_AGE_KEY": broken}, "malformed identity"},
		{"not an identity", map[string]string{"SOPS_AGE_KEY": "age1" + secret}, "not an age identity"},
		{"failing command", map[string]string{"SOPS_AGE_KEY_CMD": "false"}, "SOPS_AGE_KEY_CMD"},
		{"unknown command", map[string]string{"SOPS_AGE_KEY_CMD": filepath.Join(dir, "no-such-cmd")}, "SOPS_AGE_KEY_CMD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.env["HOME"] = dir
			_, err := LoadKeyring(mapEnv(tt.env))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), secret[:20])
		})
	}
}

func TestKeyringNeverPrintsKeys(t *testing.T) {
	k := newTestKey(t)
	kr, err := ParseKeyring(k.identity + "\nAGE-PLUGIN-YUBIKEY-1XYZ")
	require.NoError(t, err)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(format, kr), "AGE-SECRET-KEY", format)
	}
	assert.Equal(t, "sopsfile.Keyring(1 identities)", kr.String())
	_, err = Decrypt([]byte(encrypt(t, secretDoc, regexRule(newTestKey(t)))), kr)
	require.ErrorIs(t, err, ErrNoKey)
	assert.Contains(t, err.Error(), "1 age plugin identities skipped")
}

func TestRules(t *testing.T) {
	const r1 = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
	const r2 = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"
	const sopsYAML = `
creation_rules:
  - path_regex: ^secrets/prod/.*\.yaml$
    encrypted_regex: ^(value|values)$
    age: >-
      ` + r1 + `,
      ` + r2 + `
  - path_regex: ^secrets/groups/
    key_groups:
      - age:
          - ` + r2 + `
    mac_only_encrypted: true
  - path_regex: ^secrets/pgp/
    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4
  - path_regex: ^secrets/shamir/
    key_groups:
      - age: [` + r1 + `]
      - age: [` + r2 + `]
  - path_regex: ^secrets/
    unencrypted_suffix: _clear
    age:
      - ` + r1 + `
destination_rules:
  - s3_bucket: ignored
`
	rules, err := ParseRules([]byte(sopsYAML))
	require.NoError(t, err)
	tests := []struct {
		path    string
		want    Rule
		wantErr string
	}{
		{"secrets/prod/db.yaml", Rule{Recipients: []string{r1, r2}, EncryptedRegex: "^(value|values)$",
			Name: `creation rule 1 (path_regex ^secrets/prod/.*\.yaml$, encrypted_regex ^(value|values)$)`}, ""},
		{"secrets/prod/db.json", Rule{Recipients: []string{r1}, UnencryptedSuffix: "_clear",
			Name: "creation rule 5 (path_regex ^secrets/, unencrypted_suffix _clear)"}, ""},
		{"secrets/groups/a.yaml", Rule{Recipients: []string{r2}, MACOnlyEncrypted: true,
			Name: "creation rule 2 (path_regex ^secrets/groups/, mac_only_encrypted)"}, ""},
		{"secrets/pgp/a.yaml", Rule{Name: "creation rule 3 (path_regex ^secrets/pgp/)"}, ""},
		{"secrets/shamir/a.yaml", Rule{Recipients: []string{r1, r2}, Name: "creation rule 4 (path_regex ^secrets/shamir/)"}, ""},
		{"other/a.yaml", Rule{}, "other/a.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := rules.For(tt.path)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, got.KeyGroups, "sops' config builds the key groups")
			got.KeyGroups = nil
			assert.Equal(t, tt.want, got)
		})
	}
	pgpRule, err := rules.For("secrets/pgp/a.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4"}, pgpRule.Keys())
	shamirRule, err := rules.For("secrets/shamir/a.yaml")
	require.NoError(t, err)
	assert.Len(t, shamirRule.KeyGroups, 2, "one group per key_groups entry")
	_, err = rules.For("other/a.yaml")
	assert.ErrorIs(t, err, ErrNoRule)
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"not yaml", "creation_rules: [", "parse .sops.yaml"},
		{"bad path_regex", "creation_rules:\n  - path_regex: '('\n", "path_regex"},
		{"bad encrypted_regex", "creation_rules:\n  - encrypted_regex: '['\n", "encrypted_regex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules([]byte(tt.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	rules, err := ParseRules([]byte("creation_rules:\n  - age: x\n    encrypted_regex: a\n    unencrypted_regex: b\n"))
	require.NoError(t, err)
	_, err = rules.For("a.yaml")
	assert.ErrorContains(t, err, "more than one")
	rules, err = ParseRules([]byte("stores: {}\n"))
	require.NoError(t, err)
	_, err = rules.For("a.yaml")
	assert.ErrorIs(t, err, ErrNoRule)
}

// benchDoc builds a document with n encrypted values.
func benchDoc(n int) string {
	var b strings.Builder
	b.WriteString("name: bench\ndescription: many values\nsecrets:\n")
	for i := range n {
		fmt.Fprintf(&b, "    s%03d:\n        value: secret-value-number-%03d-with-some-length\n", i, i)
	}
	return b.String()
}

// BenchmarkDecrypt decrypts a 100-value document under two rules and a
// 50-secret resource document (see benchDocs; BenchmarkDecryptNode decrypts
// the same). Most of the time is sops' own: its YAML store, and
// regexp.Match compiling encrypted_regex again for every key on every
// value's path.
func BenchmarkDecrypt(b *testing.B) {
	k := newTestKey(b)
	for _, d := range benchDocs(b, k) {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(d.enc)))
			for b.Loop() {
				if _, err := Decrypt(d.enc, k.keyring); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncrypt(b *testing.B) {
	k := newTestKey(b)
	doc := []byte(benchDoc(100))
	rule := regexRule(k)
	for b.Loop() {
		if _, err := Encrypt(doc, rule); err != nil {
			b.Fatal(err)
		}
	}
}
