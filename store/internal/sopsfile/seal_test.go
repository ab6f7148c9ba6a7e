package sopsfile

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// sealLine matches the seal as sops prints it.
var sealLine = regexp.MustCompile(`(?m)^secretsctl_seal: .*\n`)

// stripSeal removes the seal line from sops' plaintext output.
func stripSeal(s string) string {
	return sealLine.ReplaceAllLiteralString(s, "")
}

// sopsValues decodes sops' plaintext output as textValues does, without the
// top-level seal.
func sopsValues(t *testing.T, text string) any {
	t.Helper()
	v := textValues(t, text)
	if m, ok := v.(map[string]any); ok {
		delete(m, sealKeyName)
	}
	return v
}

// sealOf returns the seal value of an encrypted document in which the seal
// is in clear.
func sealOf(t *testing.T, enc string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^secretsctl_seal: (v1:\S+)$`).FindStringSubmatch(enc)
	require.NotNil(t, m, "no clear seal in:\n%s", enc)
	return m[1]
}

// isSealError reports whether err is an integrity failure of the seal.
func isSealError(err error) bool {
	var ie *IntegrityError
	return errors.As(err, &ie) && strings.HasPrefix(ie.Reason, "seal ")
}

// reencrypt re-encrypts a document the way `sops edit`, `sops set` and
// `sops rotate` do (common.DecryptTree, an edit of the tree,
// common.EncryptTree): one aes.Cipher whose stash keeps the IV of every
// value it decrypted, including the MAC's, lastmodified set to at (the
// original lastmodified plus shift), the MAC encrypted with that cipher.
// With rotate, the values are re-encrypted under a new data key, as sops
// rotate does.
func reencrypt(t testing.TB, enc string, kr *Keyring, shift time.Duration, rotate bool, edit func(sops.TreeBranch) sops.TreeBranch) string {
	t.Helper()
	tree, err := loadEncrypted([]byte(enc))
	require.NoError(t, err)
	dataKey, err := kr.dataKey(tree.Metadata)
	require.NoError(t, err)
	cipher := aes.NewCipher()
	mac, err := tree.Decrypt(dataKey, cipher)
	require.NoError(t, err)
	stored, err := cipher.Decrypt(tree.Metadata.MessageAuthenticationCode, dataKey, macAdditionalData(tree.Metadata))
	require.NoError(t, err)
	require.Equal(t, stored, mac)
	if edit != nil {
		tree.Branches[0] = edit(tree.Branches[0])
	}
	if rotate {
		dataKey = make([]byte, dataKeySize)
		_, err := rand.Read(dataKey)
		require.NoError(t, err)
		require.Empty(t, tree.Metadata.UpdateMasterKeys(dataKey))
	}
	mac, err = tree.Encrypt(dataKey, cipher)
	require.NoError(t, err)
	tree.Metadata.LastModified = tree.Metadata.LastModified.Add(shift)
	tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, dataKey, macAdditionalData(tree.Metadata))
	require.NoError(t, err)
	out, err := newStore().EmitEncryptedFile(*tree)
	require.NoError(t, err)
	return string(out)
}

// setValue is an edit for reencrypt that sets a top-level value.
func setValue(key string, value any) func(sops.TreeBranch) sops.TreeBranch {
	return func(b sops.TreeBranch) sops.TreeBranch {
		for i := range b {
			if b[i].Key == key {
				b[i].Value = value
				return b
			}
		}
		return append(b, sops.TreeItem{Key: key, Value: value})
	}
}

// renameKey is an edit for reencrypt that renames a top-level key.
func renameKey(from, to string) func(sops.TreeBranch) sops.TreeBranch {
	return func(b sops.TreeBranch) sops.TreeBranch {
		for i := range b {
			if b[i].Key == from {
				b[i].Key = to
			}
		}
		return b
	}
}

// sealDocs are documents with corners of the canonical encoding, beyond the
// equivalence documents. (A clear -0.0 is left out: sops hashes it as "-0"
// but writes it as -0, which reads back as the int 0, so sops cannot verify
// the file it wrote.)
var sealDocs = []struct {
	name string
	doc  string
}{
	{"floats", "a: 3.0\nc: 1e6\nd: 1e20\ne: 100000.0\nf: !!float 1\ng: 0.1\nh: -2.5e-10\ni: 9223372036854775807\nj: -9223372036854775808.0\nvalue: 4.0\nvalues: [1.0, 2.5, .nan, -.inf]\n"},
	{"timestamps", "a: 2001-12-14\nb: 2001-12-14T21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10\nvalue: 2001-12-14t21:59:43.10+02:00\n"},
	{"binary and strings", "a: !!binary aGVsbG8=\nb: !!binary /w==\n!!binary a2V5: k\nc: \"\"\nd: ''\ne: \"line\\nbreak\"\nvalue: !!binary /w==\nf: \"\\u2028\"\n"},
	{"nulls and empties", "a: null\nb: ~\nc:\nd: \"\"\nvalue: null\nvalues: [null, \"\", ~]\nempty_map: {}\nempty_list: []\n"},
	{"merge keys", "base:\n    x: 1\nmerged:\n    <<: {y: 2}\n    z: 3\n"},
	{"aliases expanded", "base: &b\n    x: 1\ncopy: *b\nvalue: &v secret\nvalues: [*v, *v]\n"},
	{"empty comment in an encrypted list", "list:\n    #\n    - a\n    # c\n    - b\n"},
	{"old seal replaced", "a: 1\nsecretsctl_seal: v1:2001-01-01T00:00:00Z:" + strings.Repeat("ab", 32) + "\nb: 2\n"},
	{"seal-like nested key", "a:\n    secretsctl_seal: not mine\n"},
	{"empty mapping", "{}\n"},
	{"trailing comment", "a: 1\n# the end\n"},
	{"keys of every kind", "\"quoted\": 1\n'single': 2\n? complex\n: 3\n\"0x1F\": 4\n\"\": 5\n\"a\\tb\": 6\n"},
}

// TestSealRoundTrip: every document Encrypt writes, under every rule
// variant, carries a seal that DecryptNodeInfo verifies, and DecryptNode
// returns the plaintext without it.
func TestSealRoundTrip(t *testing.T) {
	k := newTestKey(t)
	docs := append(append([]struct{ name, doc string }{}, equivalenceDocs...), sealDocs...)
	for _, r := range equivalenceRules(k) {
		for _, d := range docs {
			t.Run(r.name+"/"+d.name, func(t *testing.T) {
				enc, err := Encrypt([]byte(d.doc), r.rule)
				require.NoError(t, err)
				node, info, err := DecryptNodeInfo(enc, k.keyring)
				require.NoError(t, err)
				assert.Equal(t, Info{Sealed: true, MACOnlyEncrypted: r.rule.MACOnlyEncrypted}, info)
				assert.Equal(t, -1, findSeal(node.Content[0]), "the seal is removed")
				if d.name != "empty comment in an encrypted list" {
					// sops turns an encrypted "#" line in a sequence into an
					// item "": the seal covers the document as it reads back.
					assert.Equal(t, sopsLossy(sopsValues(t, d.doc)), sopsLossy(values(t, node)), "DecryptNode against the plaintext")
				}

				plain, err := Decrypt(enc, k.keyring)
				require.NoError(t, err)
				assert.Len(t, sealLine.FindAllString(string(plain), -1), 1, "Decrypt shows the seal, once")
				assert.Equal(t, sopsLossy(sopsValues(t, string(plain))), sopsLossy(values(t, node)), "DecryptNode against Decrypt")

				clear, err := CleartextNode(enc)
				require.NoError(t, err)
				assert.Equal(t, -1, findSeal(clear.Content[0]), "CleartextNode removes the seal")
				sameShape(t, node, clear, "")
			})
		}
	}
}

// TestSealRoundTripCommentRegexes seals documents encrypted with the
// comment regexes Rule does not offer.
func TestSealRoundTripCommentRegexes(t *testing.T) {
	k := newTestKey(t)
	for _, set := range []func(*sops.Metadata){
		func(m *sops.Metadata) { m.EncryptedCommentRegex = "sops:enc" },
		func(m *sops.Metadata) { m.UnencryptedCommentRegex = "sops:clear" },
	} {
		for _, d := range append([]struct{ name, doc string }{{"marked", commentRulesDoc}}, sealDocs...) {
			enc := encryptWithMetadata(t, k, d.doc, set)
			_, info, err := DecryptNodeInfo(enc, k.keyring)
			require.NoError(t, err, d.name)
			assert.True(t, info.Sealed, d.name)
		}
	}
}

// TestSealFormat checks the seal against the format documented in seal.go.
func TestSealFormat(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	seal := sealOf(t, enc)
	lm := regexp.MustCompile(`lastmodified: "([^"]+)"`).FindStringSubmatch(enc)[1]
	assert.Regexp(t, `^v1:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ:[0-9a-f]{64}$`, seal)
	assert.Equal(t, "v1:"+lm+":", seal[:len(seal)-64], "the seal's lastmodified is the document's")
	written, err := time.Parse(time.RFC3339, lm)
	require.NoError(t, err)
	assert.True(t, written.Before(time.Now().Truncate(time.Second)), "lastmodified is the second before the write")
	assert.WithinDuration(t, time.Now(), written, 3*time.Second)
	assert.NotContains(t, seal, canary)
	assert.Regexp(t, `(?m)^secretsctl_seal: v1:\S+\nsops:\n`, enc, "the last top-level key before sops")

	tree, err := loadEncrypted([]byte(enc))
	require.NoError(t, err)
	dataKey, err := k.keyring.dataKey(tree.Metadata)
	require.NoError(t, err)
	iv, err := macIV(tree.Metadata)
	require.NoError(t, err)
	assert.True(t, isMarked(dataKey, iv), "the MAC's IV carries the mark")
	other := make([]byte, dataKeySize)
	assert.False(t, isMarked(other, iv), "under another data key it does not")

	// Recompute the seal by hand from the specification, over the plaintext
	// as DecryptNode returns it.
	node, err := DecryptNode([]byte(enc), k.keyring)
	require.NoError(t, err)
	msg := specBytes(nil, lm)
	msg = specBytes(msg, string(iv))
	msg = specNode(t, msg, node.Content[0])
	m := hmac.New(sha256.New, specHMAC(dataKey, "secretsctl seal v1"))
	m.Write(msg)
	assert.Equal(t, "v1:"+lm+":"+hex.EncodeToString(m.Sum(nil)), seal)
}

func specHMAC(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func specBytes(out []byte, s string) []byte {
	out = binary.BigEndian.AppendUint64(out, uint64(len(s)))
	return append(out, s...)
}

func specScalar(out []byte, tag, value string) []byte {
	out = append(out, 'v')
	return specBytes(specBytes(out, tag), value)
}

// specNode is the canonical encoding, written from its documentation for
// the scalars of secretDoc (strings, ints, floats, bools, nulls).
func specNode(t *testing.T, out []byte, n *yaml.Node) []byte {
	switch n.Kind {
	case yaml.MappingNode:
		out = append(out, 'm')
		out = binary.BigEndian.AppendUint64(out, uint64(len(n.Content)/2))
		for i := 0; i < len(n.Content); i += 2 {
			out = specScalar(out, "!!str", n.Content[i].Value)
			out = specNode(t, out, n.Content[i+1])
		}
	case yaml.SequenceNode:
		out = append(out, 's')
		out = binary.BigEndian.AppendUint64(out, uint64(len(n.Content)))
		for _, item := range n.Content {
			out = specNode(t, out, item)
		}
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return specScalar(out, "!!null", "")
		case "!!float":
			if n.Value == "1.5" {
				return specScalar(out, "!!float", "1.5")
			}
		case "!!str", "!!int", "!!bool":
			return specScalar(out, n.Tag, n.Value)
		}
		t.Fatalf("specNode: no rule for %s %q", n.Tag, n.Value)
	}
	return out
}

// TestCanonicalEncoding pins which differences the seal sees.
func TestCanonicalEncoding(t *testing.T) {
	key := make([]byte, dataKeySize)
	digest := func(doc string) string {
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(doc), &n), doc)
		require.NoError(t, validateNode(n.Content[0], 0))
		d, err := sealDigest(n.Content[0], findSeal(n.Content[0]), key, "2001-01-01T00:00:00Z", make([]byte, sopsNonceSize))
		require.NoError(t, err, doc)
		return hex.EncodeToString(d)
	}
	same := [][2]string{
		{"a: 3", "a: 3.0"}, // sops writes a clear 3.0 as 3: integral floats are ints
		{"a: -0.0", "a: 0"},
		{"a: 1e6", "a: 1000000"},
		{"a: 0x1F", "a: 31"},
		{"a: 0o17", "a: 15"},
		{"a: ~", "a: null"},
		{"a:", "a: null"},
		{"a: True", "a: true"},
		{"a: 'x'", "a: \"x\""},
		{"\"a\": x", "a: x"},
		{"a: !!str 1", "a: \"1\""},
		{"a: !!binary aGVsbG8=", "a: hello"},
		{"a: 2001-12-14", "a: 2001-12-14T00:00:00Z"},
		{"a: 2001-12-14T21:59:43-05:00", "a: 2001-12-15T02:59:43Z"},
		{"a: .NaN", "a: .nan"},
		{"a: x # comment", "# head\na: x"},
		{"a: &anchor x", "a: x"},
		{"a: [x, y]", "a:\n    - x\n    - y"},
		{"a: x\nsecretsctl_seal: anything", "a: x"},
		{"a: 1e20", "a: 100000000000000000000.0"},
	}
	for _, p := range same {
		assert.Equal(t, digest(p[0]), digest(p[1]), "%q and %q", p[0], p[1])
	}
	differ := [][2]string{
		{"a: 1", "a: \"1\""},
		{"a: true", "a: \"true\""},
		{"a: null", "a: \"\""},
		{"a: null", "a: \"null\""},
		{"a: 1.5", "a: \"1.5\""},
		{"a: 1e20", "a: 1e21"},
		{"a: 2001-12-14", "a: \"2001-12-14\""},
		{"a: x", "b: x"},
		{"a: x\nb: y", "b: y\na: x"},
		{"a: x\nb: x", "b: x\na: x"},
		{"a: [x, y]", "a: [y, x]"},
		{"a: [ab, c]", "a: [a, bc]"},
		{"a: ab\nb: c", "a: a\nb: bc"},
		{"a: {}", "a: []"},
		{"a: {}", "a: null"},
		{"a: [x]", "a: x"},
		{"a: {b: x}", "a: {c: x}"},
		{"a: x", "a: x\nb: \"\""},
		{"a: x", "a: x\nb: null"},
		{"a: x", "a: x\nb: {}"},
		{"a: [x]", "a: [x, null]"},
		{"a: !!binary /w==", "a: !!binary /v8="},
		{"a:\n    b: x", "a.b: x"},
		{"a: x\nsecretsctl_seal: anything", "a: x\nb:\n    secretsctl_seal: anything"},
	}
	for _, p := range differ {
		assert.NotEqual(t, digest(p[0]), digest(p[1]), "%q and %q", p[0], p[1])
	}
}

// TestSealRejectsStructuralEdits: edits the sops MAC lets through (Decrypt
// and the sops CLI accept them) fail DecryptNode on a sealed document.
func TestSealRejectsStructuralEdits(t *testing.T) {
	k := newTestKey(t)
	only := func(r Rule) Rule { r.Recipients = []string{k.recipient}; return r }
	enc := encrypt(t, secretDoc, regexRule(k))
	encDefault := encrypt(t, "a: 1\nb: x\n", only(Rule{}))
	resource := encrypt(t, resourceDoc(2), only(Rule{EncryptedRegex: resourceRegex}))
	scenario := encrypt(t, scenarioDoc, only(Rule{EncryptedRegex: resourceRegex}))
	macOnly := encrypt(t, secretDoc, only(Rule{EncryptedRegex: "^value$", MACOnlyEncrypted: true}))
	absorbed := func(s string) string {
		seal := sealOf(t, s)
		s = replace("reason: generated override\n", "reason: generated override"+seal+"\n")(s)
		return deleteLine("secretsctl_seal: ")(s)
	}
	tests := []struct {
		name, doc, reason string
	}{
		{"rename a key with a clear value", replace("description: clear", "summary: clear")(enc), "seal mismatch"},
		{"change the YAML type of a clear value", replace("port: 8080", `port: "8080"`)(enc), "seal mismatch"},
		{"add a key with an empty value", replace("name: web\n", "name: web\nextra: \"\"\n")(enc), "seal mismatch"},
		{"add a key with a null value", replace("name: web\n", "name: web\nextra: null\n")(enc), "seal mismatch"},
		{"null to empty", replace("nothing: null", `nothing: ""`)(enc), "seal mismatch"},
		{"empty value to an empty mapping", replace(`empty: ""`, "empty: {}")(enc), "seal mismatch"},
		{"swap two keys", swapLines(enc, "empty: ", 0, -1, "nothing: "), "seal mismatch"},
		{"move bytes between clear values", replace("name: web\ndescription: clear text", "name: webclear\ndescription: \" text\"")(enc), "seal mismatch"},
		{"change the type tag of an encrypted value", replace("type:int", "type:str")(encDefault), "seal mismatch"},
		{"move strategies to another tier", replace("        mobile:\n", "        desktop:\n")(replace("        desktop:\n", "        DESKTOP:\n")(resource)), "seal mismatch"},
		{"move an override to another secret", replace("res-140/SECRET_000:", "res-153/SECRET_000:")(scenario), "seal mismatch"},
		{"move an override out of overrides", replace("    res-140/SECRET_000:\n        saas:\n            strategy: strip\n            reason: generated override\n", "    res-140/SECRET_000: {}\nx:\n    strategy: strip\n    reason: generated override\n")(scenario), "seal mismatch"},
		{"absorb the seal into the clear value before it", absorbed(scenario), "seal missing"},
		{"mac_only_encrypted: edit a clear value", replace("clear text", "changed")(macOnly), "seal mismatch"},
		{"mac_only_encrypted: delete the seal", deleteLine("secretsctl_seal: ")(macOnly), "seal missing"},
		{"mac_only_encrypted: make the seal stale", replaceRE(`secretsctl_seal: v1:\d{4}`, "secretsctl_seal: v1:2001")(macOnly), "seal mismatch"},
		{"mac_only_encrypted: garble the seal", replace("secretsctl_seal: v1:", "secretsctl_seal: v2:")(macOnly), "seal malformed"},
		{"mac_only_encrypted: seal of another type", replaceRE(`secretsctl_seal: .*`, "secretsctl_seal: [1]")(macOnly), "seal malformed"},
		{"mac_only_encrypted: seal of another encryption", replaceRE(`secretsctl_seal: .*`, "secretsctl_seal: "+sealOf(t, encrypt(t, secretDoc, only(Rule{EncryptedRegex: "^value$", MACOnlyEncrypted: true}))))(macOnly), "seal mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, err := Decrypt([]byte(tt.doc), k.keyring)
			require.NoError(t, err, "the sops MAC does not see it")
			assert.NotEmpty(t, plain)
			node, info, err := DecryptNodeInfo([]byte(tt.doc), k.keyring)
			require.Error(t, err)
			assert.Nil(t, node)
			assert.Equal(t, Info{}, info)
			var ie *IntegrityError
			require.ErrorAs(t, err, &ie)
			assert.Contains(t, ie.Reason, tt.reason)
			assert.True(t, isSealError(err))
			assertSafe(t, err)
			_, err = DecryptNode([]byte(tt.doc), k.keyring)
			require.ErrorAs(t, err, &ie)
			// CleartextNode verifies nothing.
			_, err = CleartextNode([]byte(tt.doc))
			assert.NoError(t, err)
		})
	}
}

// TestSealTamperingTheSealIsMACMismatch: without mac_only_encrypted the
// seal is in the sops MAC, so editing or deleting it fails like any value.
func TestSealTamperingTheSealIsMACMismatch(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	encDefault := encrypt(t, secretDoc, Rule{Recipients: []string{k.recipient}})
	require.Contains(t, encDefault, "secretsctl_seal: ENC[", "the default rule encrypts the seal")
	tests := []struct {
		name, doc, reason string
	}{
		{"edit the seal", regexp.MustCompile(`(?m)^secretsctl_seal: v1:\S+$`).ReplaceAllStringFunc(enc, func(m string) string {
			last := "0"
			if strings.HasSuffix(m, "0") {
				last = "1"
			}
			return m[:len(m)-1] + last
		}), "mac mismatch"},
		{"make the seal stale", replaceRE(`secretsctl_seal: v1:\d{4}`, "secretsctl_seal: v1:2001")(enc), "mac mismatch"},
		{"delete the seal", deleteLine("secretsctl_seal: ")(enc), "mac mismatch"},
		{"delete the encrypted seal", deleteLine("secretsctl_seal: ")(encDefault), "mac mismatch"},
		{"move the encrypted seal", replace("\nname:", "\nsecretsctl_seal: "+encValue(t, encDefault, "secretsctl_seal: ")+"\nname:")(deleteLine("secretsctl_seal: ")(encDefault)), "mac mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, enc, tt.doc)
			for _, d := range decryptFuncs {
				_, err := d.fn([]byte(tt.doc), k.keyring)
				var ie *IntegrityError
				require.ErrorAs(t, err, &ie, d.name)
				assert.Contains(t, ie.Reason, tt.reason, d.name)
				assertSafe(t, err)
			}
		})
	}
}

// TestSealReencrypted: a sealed document that another tool re-encrypted
// (as sops edit, set and rotate do) is unsealed, not tampered with.
func TestSealReencrypted(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	tests := []struct {
		name   string
		shift  time.Duration
		rotate bool
		edit   func(sops.TreeBranch) sops.TreeBranch
		sealed bool
		reason string // the residual false alarm
		want   string
	}{
		// Encrypt writes lastmodified one second early, so a sops
		// re-encryption in the same second as the write is one second later.
		{"no change", time.Second, false, nil, false, "", "name: web"},
		{"value changed", time.Second, false, setValue("name", "app"), false, "", "name: app"},
		{"key added", time.Second, false, setValue("added", "x"), false, "", "added: x"},
		{"key renamed", time.Second, false, renameKey("description", "summary"), false, "", "summary: clear text"},
		{"key renamed, a minute later", time.Minute, false, renameKey("description", "summary"), false, "", "summary: clear text"},
		{"rotated", time.Second, true, nil, false, "", "name: web"},
		{"seal garbled", time.Second, false, setValue(sealKeyName, "garbage"), false, "", "name: web"},
		{"seal renamed", time.Second, false, renameKey(sealKeyName, "former_seal"), false, "", "former_seal: v1:"},
		// Stamped with the same lastmodified (a clock a second or more
		// behind): sops keeps the MAC's IV when the MAC is the same, and
		// nothing tells that re-encryption from the original.
		{"same lastmodified: value changed", 0, false, setValue("name", "app"), false, "", "name: app"},
		{"same lastmodified: rotated", 0, true, nil, false, "", "name: web"},
		{"same lastmodified: no change", 0, false, nil, true, "", "name: web"},
		{"same lastmodified: key renamed", 0, false, renameKey("description", "summary"), false, "seal mismatch", ""},
		{"same lastmodified: seal renamed", 0, false, renameKey(sealKeyName, "former_seal"), false, "seal missing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := reencrypt(t, enc, k.keyring, tt.shift, tt.rotate, tt.edit)
			_, err := Decrypt([]byte(doc), k.keyring)
			require.NoError(t, err)
			node, info, err := DecryptNodeInfo([]byte(doc), k.keyring)
			if tt.reason != "" {
				require.ErrorContains(t, err, tt.reason)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, Info{Sealed: tt.sealed}, info)
			text, err := encodeNode(node)
			require.NoError(t, err)
			assert.Contains(t, string(text), tt.want)
			assert.NotContains(t, string(text), "secretsctl_seal")
		})
	}
}

// TestSealUnsealedEditsPass: on a document another tool re-encrypted, the
// edits the sealed document refuses pass, as they pass sops: only the sops
// MAC vouches for it, and Info says so.
func TestSealUnsealedEditsPass(t *testing.T) {
	k := newTestKey(t)
	only := func(r Rule) Rule { r.Recipients = []string{k.recipient}; return r }
	enc := reencrypt(t, encrypt(t, secretDoc, regexRule(k)), k.keyring, time.Second, false, nil)
	encDefault := reencrypt(t, encrypt(t, "a: 1\nb: x\n", only(Rule{})), k.keyring, time.Second, false, nil)
	scenario := reencrypt(t, encrypt(t, scenarioDoc, only(Rule{EncryptedRegex: resourceRegex})), k.keyring, time.Second, false, nil)
	macOnly := reencrypt(t, encrypt(t, secretDoc, only(Rule{EncryptedRegex: "^value$", MACOnlyEncrypted: true})), k.keyring, time.Second, false, nil)
	tests := []struct {
		name, doc, want string
		macOnly         bool
	}{
		{"rename a key with a clear value", replace("description: clear", "summary: clear")(enc), "summary: clear text", false},
		{"change the YAML type of a clear value", replace("port: 8080", `port: "8080"`)(enc), `port: "8080"`, false},
		{"add a key with a null value", replace("name: web\n", "name: web\nextra: null\n")(enc), "extra: null", false},
		{"change the type tag of an encrypted value", replace("type:int", "type:str")(encDefault), `a: "1"`, false},
		{"move an override to another secret", replace("res-140/SECRET_000:", "res-153/SECRET_000:")(scenario), "res-153/SECRET_000:", false},
		{"delete the stale seal of a mac_only_encrypted document", deleteLine("secretsctl_seal: ")(macOnly), "description: clear text", true},
		{"edit a clear value of a mac_only_encrypted document", replace("clear text", "changed")(macOnly), "description: changed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain, err := Decrypt([]byte(tt.doc), k.keyring)
			require.NoError(t, err)
			assert.Contains(t, string(plain), tt.want)
			node, info, err := DecryptNodeInfo([]byte(tt.doc), k.keyring)
			require.NoError(t, err)
			assert.Equal(t, Info{Sealed: false, MACOnlyEncrypted: tt.macOnly}, info)
			text, err := encodeNode(node)
			require.NoError(t, err)
			assert.Contains(t, string(text), tt.want)
			assert.Equal(t, sopsLossy(sopsValues(t, string(plain))), sopsLossy(values(t, node)))
		})
	}
}

// encryptLikeSops encrypts a tree as `sops encrypt` does (GenerateDataKey,
// common.EncryptTree), without a seal.
func encryptLikeSops(tree *sops.Tree) error {
	dataKey := make([]byte, dataKeySize)
	if _, err := rand.Read(dataKey); err != nil {
		return err
	}
	if errs := tree.Metadata.UpdateMasterKeys(dataKey); len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	cipher := aes.NewCipher()
	mac, err := tree.Encrypt(dataKey, cipher)
	if err != nil {
		return err
	}
	tree.Metadata.LastModified = time.Now().UTC()
	tree.Metadata.MessageAuthenticationCode, err = cipher.Encrypt(mac, dataKey, macAdditionalData(tree.Metadata))
	return err
}

// TestSealNeverSealed: documents sops encrypted (here: the sops library,
// as the CLI does) have no seal.
func TestSealNeverSealed(t *testing.T) {
	k := newTestKey(t)
	tree, err := loadEncrypted([]byte(encrypt(t, "a: x\n", regexRule(k))))
	require.NoError(t, err)
	branches, err := newStore().LoadPlainFile([]byte(secretDoc))
	require.NoError(t, err)
	tree.Branches = branches
	require.NoError(t, encryptLikeSops(tree))
	enc, err := newStore().EmitEncryptedFile(*tree)
	require.NoError(t, err)
	require.NotContains(t, string(enc), "secretsctl_seal")

	text, err := decryptNodeText(enc, k.keyring)
	require.NoError(t, err)
	assert.Equal(t, secretDoc, string(text))
	_, info, err := DecryptNodeInfo(enc, k.keyring)
	require.NoError(t, err)
	assert.False(t, info.Sealed)
}

// TestSealKeepsComments: comments next to the seal survive its removal.
func TestSealKeepsComments(t *testing.T) {
	k := newTestKey(t)
	for _, rule := range []Rule{regexRule(k), {Recipients: []string{k.recipient}}} {
		enc := encrypt(t, "a: 1 # one\n# before b\nb: 2\n# the end\n", rule)
		node, err := DecryptNode([]byte(enc), k.keyring)
		require.NoError(t, err)
		assert.Equal(t, []string{"# before b", "# one", "# the end"}, commentLines(node))
		clear, err := CleartextNode([]byte(enc))
		require.NoError(t, err)
		assert.Len(t, commentLines(clear), 3)
	}
}

// TestSealEncryptErrors: what Encrypt refused before the seal it still
// refuses, without quoting values.
func TestSealEncryptErrors(t *testing.T) {
	k := newTestKey(t)
	for _, doc := range []string{
		"big: 18446744073709551615\nvalue: " + canary + "\n",
		"1: " + canary + "\n",
		"a:\n    ~: " + canary + "\n",
	} {
		_, err := Encrypt([]byte(doc), regexRule(k))
		require.Error(t, err, doc)
		assert.Regexp(t, `^encrypt: unsupported value in document tree`, err.Error())
		assertSafe(t, err)
	}
}

// TestSealErrorsNeverQuoteValues: every seal failure, whatever the edit,
// names no value.
func TestSealErrorsNeverQuoteValues(t *testing.T) {
	k := newTestKey(t)
	rule := Rule{Recipients: []string{k.recipient}, EncryptedRegex: "^nothing$", MACOnlyEncrypted: true}
	out, err := Encrypt([]byte("name: "+canary+"\nlist:\n    - "+canary+"\n"), rule)
	require.NoError(t, err)
	enc := string(out)
	for i, doc := range []string{
		replace("name: ", "named: ")(enc),
		replace("    - "+canary, "    - "+canary+"x")(enc),
		replaceRE(`secretsctl_seal: .*`, "secretsctl_seal: "+canary)(enc),
		replaceRE(`secretsctl_seal: .*`, "secretsctl_seal: v1:"+canary+":"+strings.Repeat("0", 64))(enc),
		deleteLine("secretsctl_seal: ")(enc),
	} {
		_, err := DecryptNode([]byte(doc), k.keyring)
		require.True(t, isSealError(err), "%d: %v", i, err)
		assertSafe(t, err)
	}
}

// BenchmarkSealCheck decrypts the same documents sealed and unsealed: the
// difference is the cost of the seal (one walk, one HMAC).
func BenchmarkSealCheck(b *testing.B) {
	k := newTestKey(b)
	rule := Rule{Recipients: []string{k.recipient}, EncryptedRegex: resourceRegex}
	for _, d := range []struct{ name, doc string }{{"resource_50_secrets", resourceDoc(50)}, {"scenario_small", scenarioDoc}} {
		sealed := encrypt(b, d.doc, rule)
		unsealed := reencrypt(b, sealed, k.keyring, time.Second, false, nil)
		for _, v := range []struct{ name, enc string }{{"sealed", sealed}, {"unsealed", unsealed}} {
			b.Run(fmt.Sprintf("%s/%s", d.name, v.name), func(b *testing.B) {
				data := []byte(v.enc)
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					if _, err := DecryptNode(data, k.keyring); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkSealDigest is the seal check alone (the canonical walk and its
// HMAC) on decrypted documents.
func BenchmarkSealDigest(b *testing.B) {
	k := newTestKey(b)
	rule := Rule{Recipients: []string{k.recipient}, EncryptedRegex: resourceRegex}
	key := make([]byte, dataKeySize)
	iv := make([]byte, sopsNonceSize)
	for _, d := range []struct{ name, doc string }{{"resource_50_secrets", resourceDoc(50)}, {"scenario_small", scenarioDoc}} {
		node, err := DecryptNode([]byte(encrypt(b, d.doc, rule)), k.keyring)
		require.NoError(b, err)
		root := node.Content[0]
		b.Run(d.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := sealDigest(root, -1, key, "2001-01-01T00:00:00Z", iv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
