package sopsfile

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// decryptFuncs are Decrypt (without the seal line it shows) and DecryptNode
// (its node encoded as sops prints YAML), for the tests that must hold for
// both.
var decryptFuncs = []struct {
	name string
	fn   func([]byte, *Keyring) ([]byte, error)
}{
	{"Decrypt", decryptText},
	{"DecryptNode", decryptNodeText},
}

// decryptText is Decrypt without the seal line, which DecryptNode removes.
func decryptText(data []byte, kr *Keyring) ([]byte, error) {
	plain, err := Decrypt(data, kr)
	if err != nil {
		return nil, err
	}
	return []byte(stripSeal(string(plain))), nil
}

func decryptNodeText(data []byte, kr *Keyring) ([]byte, error) {
	n, err := DecryptNode(data, kr)
	if err != nil {
		return nil, err
	}
	return encodeNode(n)
}

func cleartextNodeText(data []byte) ([]byte, error) {
	n, err := CleartextNode(data)
	if err != nil {
		return nil, err
	}
	return encodeNode(n)
}

// encodeNode encodes a node with sops' four-space indentation.
func encodeNode(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	e := yaml.NewEncoder(&b)
	e.SetIndent(4)
	if err := e.Encode(n); err != nil {
		return nil, err
	}
	if err := e.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// values decodes a node as yaml.v3 decodes into interface{}, normalised
// for comparison: times as UTC text, NaN as a string.
func values(t *testing.T, n *yaml.Node) any {
	t.Helper()
	var v any
	require.NoError(t, n.Decode(&v))
	return normalize(v)
}

// textValues decodes YAML text as values does.
func textValues(t *testing.T, text string) any {
	t.Helper()
	var n yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(text), &n), "text:\n%s", text)
	return values(t, &n)
}

func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = normalize(e)
		}
		return out
	case map[any]any: // a key that is not a plain string (!!binary)
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalize(e)
		}
		return out
	case time.Time:
		return "time:" + v.UTC().Format(time.RFC3339Nano)
	case float64:
		if math.IsNaN(v) {
			return "NaN"
		}
	}
	return v
}

// sopsLossy maps what sops' text output cannot tell apart: a float with an
// integral value prints as an int (3.0 becomes 3).
func sopsLossy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = sopsLossy(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = sopsLossy(e)
		}
		return out
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int(v)
		}
	}
	return v
}

// commentLines returns every comment line of a node tree, trimmed, sorted.
func commentLines(n *yaml.Node) []string {
	var out []string
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
			for _, line := range strings.Split(c, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					out = append(out, line)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	slices.Sort(out)
	return out
}

// sameShape checks that DecryptNode's tree is the cleartext tree (as
// CleartextNode parses it from the same file) with only ENC[...] scalars
// changed: same kinds, same lines and columns, same clear values.
func sameShape(t *testing.T, got, clear *yaml.Node, path string) {
	t.Helper()
	require.Equal(t, clear.Kind, got.Kind, "kind at %s", path)
	assert.Equal(t, clear.Line, got.Line, "line at %s", path)
	assert.Equal(t, clear.Column, got.Column, "column at %s", path)
	if got.Kind == yaml.ScalarNode {
		if strings.HasPrefix(clear.Value, "ENC[AES256_GCM,") {
			assert.Contains(t, []string{"!!str", "!!int", "!!float", "!!bool", "!!timestamp", "!!binary"}, got.Tag, "tag at %s", path)
			assert.Zero(t, got.Style, "style at %s", path)
		} else {
			assert.Equal(t, clear.Value, got.Value, "clear value at %s", path)
			assert.Equal(t, clear.Tag, got.Tag, "clear tag at %s", path)
		}
		return
	}
	if got.Kind == yaml.SequenceNode && len(got.Content) != len(clear.Content) {
		return // encrypted comments stored as items became comments
	}
	require.Len(t, got.Content, len(clear.Content), "children at %s", path)
	for i := range got.Content {
		sameShape(t, got.Content[i], clear.Content[i], fmt.Sprintf("%s/%d", path, i))
	}
}

// Documents for the equivalence tests, each in plain form.
var (
	scalarsDoc = `str: hello
int: 42
neg: -7
plus: +5
zero: 0
big: 9223372036854775807
hex: 0x1F
octal: 0o17
old_octal: 0755
underscore: 1_000
float: 1.5
exp: 1e3
intfloat: 3.0
tagged_float: !!float 1
inf: .inf
neg_inf: -.inf
nan: .nan
bool: true
bool_title: False
yes_str: yes
null_value: null
tilde: ~
empty_value:
empty: ""
single: ''
quoted_int: "123"
quoted_bool: 'true'
quoted_null: "null"
tagged_str: !!str 42
custom_tag: !custom tagged
date: 2001-12-14
datetime: 2001-12-14T21:59:43.10-05:00
binary: !!binary aGVsbG8=
invalid_utf8: !!binary /w==
unicode: "héllo wörld ✓ 日本語 🔑"
spaces: "  padded  "
colon: "a: b"
hash: "a #b"
quotes: "it's \"quoted\""
tab: "a\tb"
escaped_newline: "line1\nline2"
control: "\x01\x7f"
long: ` + strings.Repeat("long-value-", 40) + `
value: ` + canary + `
`
	multilineDoc = `literal: |
    line one
    line two
folded: >
    folded text
    continues here

    new paragraph
keep: |+
    trailing newlines kept

strip: |-
    no final newline
indented: |2
      two extra spaces
plain_multi: first
    second line
value: |
    secret line one
    ` + canary + `
values:
    - |
        block in a list
    - >-
        folded in a list
`
	nestedDoc = `a:
    b:
        c: deep
        value: secret
    list:
        - one
        - 2
        - true
        - null
        - nested:
            value: x
            other: y
        - - inner1
          - inner2
    maps:
        - name: n1
          value: v1
        - name: n2
          values:
            - p
            - q
values:
    - ` + canary + `
    - two
    - 3
    - key: in a list
      deeper:
        data: [1, 2.5, x]
empty_map: {}
empty_list: []
flow_map: {x: 1, value: flow}
flow_list: [a, b, c]
"quoted key": q
clé: valeur
anchored: &anchor anchored value
`
	commentsDoc = `# head comment
# second head line

# separated head
name: web # inline name
# above value
value: secret # inline value
nested:
    # inside nested
    key: v
    # above deeper
    deeper:
        value: d # inline deep
    # foot of nested
list:
    # before first
    - a # inline a
    # between
    - b
    # after last
maps:
    # above item
    - value: one # inline one
      # inside item
      other: two
# above last key
last: end
# final comment
`
	rulesDoc = `password: p1
db_unencrypted: clear
db_secret: s
host_clear: h
parent_unencrypted:
    # a comment under parent_unencrypted
    child: c
    list:
        # a comment in a list under parent_unencrypted
        - x
parent_secret:
    # a comment under parent_secret
    child: c2
    items:
        - y
        - z: 1
values:
    - a
    - b
data: d
value: v
plain: p
name: n
description: desc
`
)

// equivalenceRules are the rule variants of the equivalence tests.
func equivalenceRules(k testKey) []struct {
	name string
	rule Rule
} {
	only := func(r Rule) Rule { r.Recipients = []string{k.recipient}; return r }
	return []struct {
		name string
		rule Rule
	}{
		{"default", only(Rule{})},
		{"encrypted_regex", only(Rule{EncryptedRegex: resourceRegex})},
		{"unencrypted_regex", only(Rule{UnencryptedRegex: "^(name|description|plain|c)$"})},
		{"encrypted_suffix", only(Rule{EncryptedSuffix: "_secret"})},
		{"unencrypted_suffix", only(Rule{UnencryptedSuffix: "_clear"})},
		{"mac_only_encrypted regex", only(Rule{EncryptedRegex: resourceRegex, MACOnlyEncrypted: true})},
		{"mac_only_encrypted default", only(Rule{MACOnlyEncrypted: true})},
	}
}

var equivalenceDocs = []struct {
	name string
	doc  string
}{
	{"secret", secretDoc},
	{"scalars", scalarsDoc},
	{"multi-line", multilineDoc},
	{"nested", nestedDoc},
	{"comments", commentsDoc},
	{"rules", rulesDoc},
	{"resource", resourceDoc(3)},
	{"bench", benchDoc(5)},
	{"scenario", scenarioDoc},
}

// checkEquivalent asserts that DecryptNode opens enc to the values of the
// plaintext doc, to the values of sops' own plaintext output (Decrypt or
// the CLI), with the cleartext tree's shape and lines and the comments of
// doc.
func checkEquivalent(t *testing.T, enc []byte, doc string, sopsPlain []byte, kr *Keyring) {
	t.Helper()
	node, err := DecryptNode(enc, kr)
	require.NoError(t, err)
	require.Equal(t, yaml.DocumentNode, node.Kind)
	require.Len(t, node.Content, 1)
	root := node.Content[0]
	require.Equal(t, yaml.MappingNode, root.Kind)
	for i := 0; i < len(root.Content); i += 2 {
		assert.NotEqual(t, "sops", root.Content[i].Value)
	}

	// sops' Encrypt already writes clear values as its YAML store prints
	// them, so 3.0 in the plaintext is 3 in a file, encrypted or not.
	got := values(t, node)
	assert.Equal(t, sopsLossy(textValues(t, doc)), sopsLossy(got), "DecryptNode against the plaintext")
	assert.Equal(t, sopsLossy(sopsValues(t, string(sopsPlain))), sopsLossy(got), "DecryptNode against sops")

	clear, err := CleartextNode(enc)
	require.NoError(t, err)
	sameShape(t, node, clear, "")

	var plainNode yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(doc), &plainNode))
	assert.Equal(t, commentLines(&plainNode), commentLines(node), "comments")

	text, err := encodeNode(node)
	require.NoError(t, err)
	assert.Equal(t, got, textValues(t, string(text)), "the node encodes to the same values")
}

func TestDecryptNodeEquivalence(t *testing.T) {
	k := newTestKey(t)
	for _, r := range equivalenceRules(k) {
		for _, d := range equivalenceDocs {
			t.Run(r.name+"/"+d.name, func(t *testing.T) {
				enc, err := Encrypt([]byte(d.doc), r.rule)
				require.NoError(t, err)
				plain, err := Decrypt(enc, k.keyring)
				require.NoError(t, err)
				checkEquivalent(t, enc, d.doc, plain, k.keyring)
			})
		}
	}
}

// encryptWithMetadata encrypts doc like Encrypt, with metadata options
// Rule does not offer (comment regexes).
func encryptWithMetadata(t *testing.T, k testKey, doc string, set func(*sops.Metadata)) []byte {
	t.Helper()
	store := newStore()
	branches, err := store.LoadPlainFile([]byte(doc))
	require.NoError(t, err)
	group, err := masterKeys([]string{k.recipient})
	require.NoError(t, err)
	m := metadataFor(Rule{Recipients: []string{k.recipient}}, []sops.KeyGroup{group})
	m.UnencryptedSuffix = ""
	set(&m)
	tree := sops.Tree{Branches: branches, Metadata: m}
	require.NoError(t, encryptTree(&tree))
	enc, err := store.EmitEncryptedFile(tree)
	require.NoError(t, err)
	return enc
}

// commentRulesDoc marks values with comments for the comment regexes.
const commentRulesDoc = `# sops:enc
password: ` + canary + `
user: admin
nested:
    # sops:enc
    # also encrypted, after the marker
    token: t1
    # not marked
    other: o
    deeper:
        inner: under a marked key? no
# sops:clear
visible: v
# sops:enc
marked_map:
    a: 1
    list:
        - x
        - y
list:
    # sops:enc
    - a
    - b
    # sops:clear
    - c
`

func TestDecryptNodeCommentRegexes(t *testing.T) {
	k := newTestKey(t)
	tests := []struct {
		name string
		set  func(*sops.Metadata)
	}{
		{"encrypted_comment_regex", func(m *sops.Metadata) { m.EncryptedCommentRegex = "^ sops:enc$" }},
		{"unencrypted_comment_regex", func(m *sops.Metadata) { m.UnencryptedCommentRegex = "^ sops:clear$" }},
		{"encrypted_comment_regex mac_only_encrypted", func(m *sops.Metadata) {
			m.EncryptedCommentRegex = "sops:enc"
			m.MACOnlyEncrypted = true
		}},
	}
	for _, tt := range tests {
		for _, d := range append([]struct{ name, doc string }{{"marked", commentRulesDoc}}, equivalenceDocs...) {
			t.Run(tt.name+"/"+d.name, func(t *testing.T) {
				enc := encryptWithMetadata(t, k, d.doc, tt.set)
				plain, err := Decrypt(enc, k.keyring)
				require.NoError(t, err)
				checkEquivalent(t, enc, d.doc, plain, k.keyring)
			})
		}
	}
	// The marked document really has values in clear and encrypted.
	enc := string(encryptWithMetadata(t, k, commentRulesDoc, tests[0].set))
	assert.Contains(t, enc, "user: admin")
	assert.Contains(t, enc, "token: ENC[")
	assert.Contains(t, enc, "other: o")
}

// TestDecryptNodeKeepsLines checks file lines on a document whose values
// are multi-line in plaintext but one line when encrypted.
func TestDecryptNodeKeepsLines(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, multilineDoc, Rule{Recipients: []string{k.recipient}})
	node, err := DecryptNode([]byte(enc), k.keyring)
	require.NoError(t, err)
	lines := strings.Split(enc, "\n")
	root := node.Content[0]
	for i := 0; i < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		assert.True(t, strings.HasPrefix(lines[key.Line-1], key.Value+":"), "line %d is %q, want key %s", key.Line, lines[key.Line-1], key.Value)
		if value.Kind == yaml.ScalarNode {
			assert.Equal(t, key.Line, value.Line)
			assert.Contains(t, lines[value.Line-1][value.Column-1:], "ENC[AES256_GCM,")
		}
	}
}

func TestDecryptNodeTypes(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, scalarsDoc, Rule{Recipients: []string{k.recipient}})
	node, err := DecryptNode([]byte(enc), k.keyring)
	require.NoError(t, err)
	tags := map[string]string{}
	vals := map[string]string{}
	root := node.Content[0]
	for i := 0; i < len(root.Content); i += 2 {
		tags[root.Content[i].Value] = root.Content[i+1].Tag
		vals[root.Content[i].Value] = root.Content[i+1].Value
	}
	want := map[string]string{
		"str": "!!str", "int": "!!int", "old_octal": "!!int", "float": "!!float", "intfloat": "!!float",
		"inf": "!!float", "bool": "!!bool", "null_value": "!!null", "empty": "!!str", "quoted_int": "!!str",
		"tagged_str": "!!str", "custom_tag": "!!str", "date": "!!timestamp", "binary": "!!str",
		"invalid_utf8": "!!binary", "value": "!!str",
	}
	for key, tag := range want {
		assert.Equal(t, tag, tags[key], key)
	}
	assert.Equal(t, "493", vals["old_octal"])
	assert.Equal(t, "3", vals["intfloat"])
	assert.Equal(t, ".inf", vals["inf"])
	assert.Equal(t, "2001-12-14T00:00:00Z", vals["date"])
	assert.Equal(t, "/w==", vals["invalid_utf8"])
	assert.Equal(t, canary, vals["value"])
}

// TestDecryptNodeRejects checks edits that fail for both DecryptNode and
// Decrypt, beyond those of TestTamperIsIntegrityError.
func TestDecryptNodeRejects(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, rulesDoc, Rule{Recipients: []string{k.recipient}, EncryptedRegex: resourceRegex})
	encDefault := encrypt(t, "a: "+canary+"\nk123: x\nlist:\n    - "+canary+"\n    - two\n", Rule{Recipients: []string{k.recipient}})
	integrity := func(e error) bool { var ie *IntegrityError; return errors.As(e, &ie) }
	format := func(e error) bool { var fe *FormatError; return errors.As(e, &fe) }
	tests := []struct {
		name   string
		doc    string
		isType func(error) bool
		reason string // in DecryptNode's error
	}{
		{"swap two items of an encrypted list", swapLines(encDefault, "    - ENC", 0, 1), integrity, "mac mismatch"},
		{"reorder two clear keys", swapLines(enc, "db_secret:", 0, -1, "host_clear:"), integrity, "mac mismatch"},
		{"clear value where an ENC value is due", replaceRE(`(?m)^value: ENC\[.*$`, "value: plain")(enc), integrity, "not an ENC"},
		{"int where an ENC value is due", replaceRE(`(?m)^value: ENC\[.*$`, "value: 5")(enc), integrity, "expected an encrypted value"},
		{"non-string key", replace("\nk123:", "\n123:")(encDefault), integrity, "non-string key"},
		{"null key", replace("\nk123:", "\n~:")(encDefault), integrity, "non-string key"},
		{"integer above MaxInt64", replace("plain: p", "plain: 18446744073709551615")(enc), integrity, "unknown type: uint64"},
		{"type tag bytes", func() string { return strings.Replace(encDefault, "type:str]", "type:bytes]", 1) }(), integrity, "type tag bytes"},
		{"unknown type tag", func() string { return strings.Replace(encDefault, "type:str]", "type:blob]", 1) }(), integrity, "unknown type tag"},
		{"sops twice", replace("\nsops:", "\n!!binary c29wcw==: {}\nsops:")(enc), integrity, "duplicate sops"},
		{"lastmodified not a time", replaceRE(`lastmodified: "[^"]*"`, `lastmodified: "yesterday"`)(enc), integrity, "invalid sops metadata"},
		{"mac not a string", replaceRE(`(?m)^    mac: .*$`, "    mac: [1]")(enc), integrity, "invalid sops metadata"},
		{"no key groups", deleteBlock("    age:")(enc), integrity, "invalid sops metadata"},
		{"duplicate key", replace("plain: p\n", "plain: p\nplain: "+canary+"\n")(enc), format, "duplicate key"},
		{"mapping as key", replace("plain: p\n", "? [a]\n: "+canary+"\n")(enc), format, "key must be a scalar"},
		{"bad explicit tag", replace("plain: p", "plain: !!int "+canary)(enc), format, "does not match its tag"},
		{"bad binary", replace("plain: p", "plain: !!binary "+canary+"!")(enc), format, "does not match its tag"},
		{"merge of a scalar", replace("plain: p\n", "<<: "+canary+"\n")(enc), format, "map merge"},
		{"top-level scalar", canary, format, "top level"},
		{"not a sops document", "value: " + canary + "\n", format, "not a sops document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, enc, tt.doc)
			for _, d := range decryptFuncs {
				_, err := d.fn([]byte(tt.doc), k.keyring)
				require.Error(t, err, d.name)
				assert.True(t, tt.isType(err), "%s: %T %v", d.name, errors.Unwrap(err), err)
				if d.name == "DecryptNode" {
					assert.Contains(t, err.Error(), tt.reason)
				}
				assertSafe(t, err)
			}
		})
	}
}

// swapLines swaps the i-th and j-th lines starting with prefix (j -1: the
// first line starting with other).
func swapLines(doc, prefix string, i, j int, other ...string) string {
	lines := strings.Split(doc, "\n")
	var at []int
	for n, l := range lines {
		if strings.HasPrefix(l, prefix) {
			at = append(at, n)
		}
	}
	a := at[i]
	b := -1
	if j >= 0 {
		b = at[j]
	} else {
		for n, l := range lines {
			if strings.HasPrefix(l, other[0]) {
				b = n
				break
			}
		}
	}
	lines[a], lines[b] = lines[b], lines[a]
	return strings.Join(lines, "\n")
}

// deleteBlock deletes a line starting with prefix and the lines indented
// deeper below it.
func deleteBlock(prefix string) func(string) string {
	return func(s string) string {
		lines := strings.Split(s, "\n")
		var out []string
		skipping, indent := false, 0
		for _, l := range lines {
			depth := len(l) - len(strings.TrimLeft(l, " "))
			if skipping && (depth > indent || strings.HasPrefix(strings.TrimLeft(l, " "), "- ")) && l != "" {
				continue
			}
			skipping = false
			if strings.HasPrefix(l, prefix) {
				skipping, indent = true, depth
				continue
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
}

// TestDecryptNodeAccepts checks edits that neither the format nor the seal
// authenticate, which sops and DecryptNode accept, beyond
// TestMACDoesNotCover's.
func TestDecryptNodeAccepts(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, commentsDoc, Rule{Recipients: []string{k.recipient}})
	firstComment := regexp.MustCompile(`#ENC\[AES256_GCM,data:[^,]+`)
	tests := []struct {
		name string
		doc  string
	}{
		{"garbling an encrypted comment", firstComment.ReplaceAllStringFunc(enc, func(m string) string { return m[:len(m)-2] + "AA" })},
		{"replacing an encrypted comment by a clear one", firstComment.ReplaceAllLiteralString(enc, "# clear")},
		{"adding an anchor", replace("\nlast: ENC", "\nlast: &a ENC")(enc)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, enc, tt.doc)
			plain, err := Decrypt([]byte(tt.doc), k.keyring)
			require.NoError(t, err)
			node, info, err := DecryptNodeInfo([]byte(tt.doc), k.keyring)
			require.NoError(t, err)
			assert.True(t, info.Sealed, "the seal does not cover comments and anchors")
			assert.Equal(t, sopsLossy(sopsValues(t, string(plain))), sopsLossy(values(t, node)))
		})
	}
}

// TestDecryptNodeRefuses checks what DecryptNode refuses although Decrypt
// accepts it: several documents, aliases.
func TestDecryptNodeRefuses(t *testing.T) {
	k := newTestKey(t)
	only := Rule{Recipients: []string{k.recipient}, EncryptedRegex: resourceRegex}
	// sops expands aliases when it encrypts; with mac_only_encrypted, clear
	// values can be edited into aliases without breaking the MAC.
	macOnly := only
	macOnly.MACOnlyEncrypted = true
	withAliases := encrypt(t, "a: clear\nb: other\nbase:\n    x: 1\nmerged:\n    z: 2\nvalue: "+canary+"\n", macOnly)
	tests := []struct {
		name, doc, reason string
	}{
		{"two documents", encrypt(t, "value: "+canary+"\n---\nvalue: b\n", only), "several YAML documents"},
		{"alias", replace("b: other", "b: *x")(replace("a: clear", "a: &x clear")(withAliases)), "aliases are not supported"},
		{"merge of an alias", replace("    z: 2", "    z: 2\n    <<: *b")(replace("base:", "base: &b")(withAliases)), "aliases are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decrypt([]byte(tt.doc), k.keyring)
			require.NoError(t, err, "Decrypt accepts it")
			_, err = DecryptNode([]byte(tt.doc), k.keyring)
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
			assert.Contains(t, fe.Reason, tt.reason)
			assertSafe(t, err)
			_, err = CleartextNode([]byte(tt.doc))
			require.ErrorAs(t, err, &fe)
		})
	}
}

// TestDecryptNodeSequenceComments checks encrypted comments that sops
// stores as sequence items.
func TestDecryptNodeSequenceComments(t *testing.T) {
	k := newTestKey(t)
	doc := "list:\n    # first\n    - a\n    # middle\n    - b\n    # last\nonly_comments:\n    # lonely\n    - x\n"
	enc := encrypt(t, doc, Rule{Recipients: []string{k.recipient}})
	require.Contains(t, enc, "type:comment]\n    - ENC", "sops stores the comments as items")
	node, err := DecryptNode([]byte(enc), k.keyring)
	require.NoError(t, err)
	list := node.Content[0].Content[1]
	require.Len(t, list.Content, 2)
	assert.Equal(t, "# first", list.Content[0].HeadComment)
	assert.Equal(t, "# middle", list.Content[1].HeadComment)
	assert.Equal(t, "# last", list.Content[1].FootComment)
	text, err := encodeNode(node)
	require.NoError(t, err)
	assert.Equal(t, doc, string(text))
}

func TestCleartextNode(t *testing.T) {
	k := newTestKey(t)
	for _, d := range equivalenceDocs {
		t.Run(d.name, func(t *testing.T) {
			enc := []byte(encrypt(t, d.doc, regexRule(k)))
			node, err := CleartextNode(enc)
			require.NoError(t, err)
			clear, err := Cleartext(enc)
			require.NoError(t, err)
			assert.Contains(t, string(clear), "secretsctl_seal: ", "Cleartext shows the seal as sops does")
			assert.Equal(t, sopsLossy(sopsValues(t, string(clear))), sopsLossy(values(t, node)))
			text, err := encodeNode(node)
			require.NoError(t, err)
			assert.NotContains(t, string(text), "lastmodified")
			assert.NotContains(t, string(text), canary)
		})
	}
}

// TestDecryptNodeMatchesDecryptText records where DecryptNode, encoded,
// gives Decrypt's text (without the seal line) byte for byte: on documents
// without comments that sops moves.
func TestDecryptNodeMatchesDecryptText(t *testing.T) {
	k := newTestKey(t)
	for _, doc := range []string{secretDoc, rulesDoc, resourceDoc(2), benchDoc(3)} {
		enc := []byte(encrypt(t, doc, regexRule(k)))
		want, err := decryptText(enc, k.keyring)
		require.NoError(t, err)
		got, err := decryptNodeText(enc, k.keyring)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got))
	}
}

func TestParseENC(t *testing.T) {
	valid := "ENC[AES256_GCM,data:qA==,iv:9rw8L0131eDTtnC3S3oSWItJE7uOXoVgXkPhctUJwMk=,tag:JiIz6rmCcRE9NKSNjsapYg==,type:str]"
	inputs := []string{
		valid,
		valid + "trailing",
		valid + "]",
		strings.Replace(valid, "data:qA==", "data:", 1),
		strings.Replace(valid, "data:qA==", "data:q,iv:A==", 1),
		strings.Replace(valid, "type:str", "type:s,tag:x", 1),
		strings.Replace(valid, "type:str", "type:str]x[", 1),
		strings.Replace(valid, "data:qA==", "data:q A==", 1),
		strings.Replace(valid, "data:qA==", "data:q\nA==", 1),
		"ENC[AES256_GCM,data:a,iv:b,tag:c,type:d]",
		"ENC[AES256_GCM,data:a,iv:b,tag:c,type:]",
		"ENC[AES256_GCM,data:a,iv:b,tag:c]",
		"enc[AES256_GCM,data:a,iv:b,tag:c,type:d]",
		" " + valid,
		"",
	}
	for _, in := range inputs {
		m := encValueRE.FindStringSubmatch(in)
		got, ok := parseENC(in)
		require.Equal(t, m != nil, ok, in)
		if ok {
			assert.Equal(t, encParts{m[1], m[2], m[3], m[4]}, got, in)
		}
	}
}
