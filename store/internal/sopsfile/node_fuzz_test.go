package sopsfile

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getsops/sops/v3"
	"github.com/stretchr/testify/assert"
)

// FuzzDecryptNode feeds DecryptNode and CleartextNode mutations of valid
// encrypted documents, sealed and not. Neither may panic or return an error
// outside the documented ones (ErrNoKey, *IntegrityError, *FormatError), nor
// one that quotes the canary. DecryptNode is also checked against Decrypt:
// what it accepts, Decrypt accepts with the same values (but the seal); what
// Decrypt accepts, DecryptNode may refuse only as a *FormatError (several
// documents, aliases), because of the seal, or for a value on a comment line
// of a sequence (see TestItemMovedOntoCommentLine).
func FuzzDecryptNode(f *testing.F) {
	k := newTestKey(f)
	only := func(r Rule) Rule { r.Recipients = []string{k.recipient}; return r }
	seeds := []struct {
		doc  string
		rule Rule
	}{
		{secretDoc, regexRule(k)},
		{secretDoc, only(Rule{})},
		{commentsDoc, only(Rule{})},
		{scalarsDoc, only(Rule{})},
		{nestedDoc, only(Rule{EncryptedRegex: resourceRegex})},
		{rulesDoc, only(Rule{EncryptedSuffix: "_secret", MACOnlyEncrypted: true})},
		{"a: " + canary + "\nlist:\n    # c\n    - x\n", only(Rule{})},
	}
	for _, s := range seeds {
		f.Add([]byte(encrypt(f, s.doc, s.rule)))
	}
	// Sealed documents whose seal is in clear, one with an edit the seal
	// sees, and documents another tool re-encrypted (unsealed).
	resource := encrypt(f, resourceDoc(2), only(Rule{EncryptedRegex: resourceRegex}))
	scenario := encrypt(f, scenarioDoc, only(Rule{EncryptedRegex: resourceRegex}))
	macOnly := encrypt(f, scenarioDoc, only(Rule{EncryptedRegex: resourceRegex, MACOnlyEncrypted: true}))
	f.Add([]byte(resource))
	f.Add([]byte(scenario))
	f.Add([]byte(macOnly))
	f.Add([]byte(strings.Replace(scenario, "res-140/SECRET_000:", "res-153/SECRET_000:", 1)))
	f.Add([]byte(reencrypt(f, resource, k.keyring, time.Second, false, nil)))
	f.Add([]byte(reencrypt(f, macOnly, k.keyring, 0, false, func(b sops.TreeBranch) sops.TreeBranch { return b[:len(b)-1] })))
	f.Add([]byte(""))
	f.Add([]byte("sops: {}\n"))
	f.Add([]byte("value: " + canary + "\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := CleartextNode(data); err != nil {
			checkDocumented(t, err, false)
		}
		node, err := DecryptNode(data, k.keyring)
		plain, panicked, derr := decryptRecovering(data, k.keyring)
		if err != nil {
			checkDocumented(t, err, true)
			if derr == nil && !panicked {
				var fe *FormatError
				if !errors.As(err, &fe) && !isSealError(err) && !isValueOnComment(err) {
					t.Fatalf("Decrypt accepts what DecryptNode refuses with %v", err)
				}
			}
			return
		}
		if panicked {
			return // a sops bug on this input; DecryptNode's answer stands
		}
		if derr != nil {
			t.Fatalf("DecryptNode accepts what Decrypt refuses with %v", derr)
		}
		got, want := sopsLossy(values(t, node)), sopsLossy(sopsValues(t, string(plain)))
		if bareCommentRE.Match(data) {
			got, want = dropEmptyItems(got), dropEmptyItems(want) // see FuzzDecryptNodeRoundTrip
		}
		if !assert.ObjectsAreEqual(got, want) {
			t.Fatalf("values differ:\nDecryptNode: %#v\nDecrypt:     %#v", got, want)
		}
		if _, err := encodeNode(node); err != nil {
			t.Fatalf("the node does not encode: %v", err)
		}
	})
}

// checkDocumented fails unless err is one of the documented errors.
func checkDocumented(t *testing.T, err error, withKey bool) {
	t.Helper()
	if strings.Contains(err.Error(), canary) {
		t.Fatalf("error quotes the canary: %v", err)
	}
	var ie *IntegrityError
	var fe *FormatError
	if errors.As(err, &ie) || errors.As(err, &fe) || withKey && errors.Is(err, ErrNoKey) {
		return
	}
	t.Fatalf("undocumented error %T: %v", err, err)
}

// decryptRecovering runs Decrypt, reporting a panic of sops instead of
// crashing.
func decryptRecovering(data []byte, kr *Keyring) (plain []byte, panicked bool, err error) {
	defer func() {
		if recover() != nil {
			panicked = true
		}
	}()
	plain, err = Decrypt(data, kr)
	return plain, false, err
}

// FuzzDecryptNodeRoundTrip encrypts fuzzed plaintexts under each rule
// variant (comment regexes included) and checks that DecryptNode and
// Decrypt agree on every document sops itself encrypts, that every such
// document of one YAML document comes back sealed, and that sealing refuses
// no document that sops and DecryptNode read when it is not sealed.
func FuzzDecryptNodeRoundTrip(f *testing.F) {
	k := newTestKey(f)
	group, err := masterKeys([]string{k.recipient})
	if err != nil {
		f.Fatal(err)
	}
	rules := []func(*sops.Metadata){
		func(m *sops.Metadata) { m.UnencryptedSuffix = sops.DefaultUnencryptedSuffix },
		func(m *sops.Metadata) { m.EncryptedRegex = resourceRegex },
		func(m *sops.Metadata) { m.UnencryptedRegex = "^(name|description|plain|c)$" },
		func(m *sops.Metadata) { m.EncryptedSuffix = "_secret" },
		func(m *sops.Metadata) { m.EncryptedRegex, m.MACOnlyEncrypted = resourceRegex, true },
		func(m *sops.Metadata) { m.EncryptedCommentRegex = "sops:enc" },
		func(m *sops.Metadata) { m.UnencryptedCommentRegex = "sops:clear" },
	}
	for i, doc := range []string{secretDoc, commentsDoc, scalarsDoc, multilineDoc, nestedDoc, rulesDoc, commentRulesDoc} {
		f.Add([]byte(doc), uint8(i))
	}
	f.Fuzz(func(t *testing.T, plain []byte, rule uint8) {
		store := newStore()
		branches, err := store.LoadPlainFile(plain)
		if err != nil || len(branches) == 0 {
			return
		}
		m := sops.Metadata{KeyGroups: []sops.KeyGroup{group}, Version: "3.13.3"}
		rules[int(rule)%len(rules)](&m)
		tree := sops.Tree{Branches: branches, Metadata: m}
		if err := encryptRecovering(&tree); err != nil {
			checkSealRefusal(t, plain, m, k.keyring, err)
			return
		}
		enc, err := store.EmitEncryptedFile(tree)
		if err != nil {
			return
		}
		want, panicked, derr := decryptRecovering(enc, k.keyring)
		if panicked || derr != nil {
			return // sops cannot read back what it wrote: not our concern
		}
		node, info, err := DecryptNodeInfo(enc, k.keyring)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Decrypt accepts what DecryptNode refuses with %v\n%s", err, enc)
			}
			return // several documents, aliases
		}
		if !info.Sealed {
			t.Fatalf("a document Encrypt wrote is not sealed\n%s", enc)
		}
		got, sopsGot := sopsLossy(values(t, node)), sopsLossy(sopsValues(t, string(want)))
		if bareCommentRE.Match(enc) {
			// The documented divergence: a bare "#" line in a sequence
			// under an encrypted path stays a comment for DecryptNode and
			// is an empty-string item for sops.
			got, sopsGot = dropEmptyItems(got), dropEmptyItems(sopsGot)
		}
		if !assert.ObjectsAreEqual(got, sopsGot) {
			t.Fatalf("values differ:\nDecryptNode: %#v\nDecrypt:     %#v\n%s", got, sopsGot, enc)
		}
	})
}

// bareCommentRE matches a bare "#" comment line.
var bareCommentRE = regexp.MustCompile(`(?m)^[ \t]*#[ \t]*\r?$`)

// dropEmptyItems removes the empty-string items of every sequence.
func dropEmptyItems(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = dropEmptyItems(e)
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			if e != "" {
				out = append(out, dropEmptyItems(e))
			}
		}
		return out
	}
	return v
}

// checkSealRefusal fails if the plaintext that encryptTree refused with err
// encrypts without the seal, as sops does, into a document that Decrypt and
// DecryptNode both read: sealing must not refuse what was readable before.
func checkSealRefusal(t *testing.T, plain []byte, m sops.Metadata, kr *Keyring, err error) {
	t.Helper()
	branches, lerr := newStore().LoadPlainFile(plain)
	if lerr != nil {
		return
	}
	tree := sops.Tree{Branches: branches, Metadata: m}
	if encryptLikeSopsRecovering(&tree) != nil {
		return
	}
	enc, eerr := newStore().EmitEncryptedFile(tree)
	if eerr != nil {
		return
	}
	if _, panicked, derr := decryptRecovering(enc, kr); panicked || derr != nil {
		return
	}
	if _, nerr := DecryptNode(enc, kr); nerr != nil {
		return
	}
	t.Fatalf("Encrypt refuses with %v a document that sops encrypts and DecryptNode reads\n%s", err, enc)
}

// encryptLikeSopsRecovering is encryptLikeSops, turning a panic of sops
// into an error.
func encryptLikeSopsRecovering(tree *sops.Tree) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("sops panicked")
		}
	}()
	return encryptLikeSops(tree)
}

// encryptRecovering is encryptTree, turning a panic of sops into an error.
func encryptRecovering(tree *sops.Tree) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("sops panicked")
		}
	}()
	return encryptTree(tree)
}
