package sopsfile

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// changedLines returns the keys of the lines of b that are not at the same
// place in a (both have the same number of lines in these tests), leaving
// out lastmodified, which changes only when the clock moved a second.
func changedLines(t *testing.T, a, b string) []string {
	t.Helper()
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	require.Len(t, bl, len(al), "same number of lines")
	var out []string
	for i := range al {
		key := strings.TrimSpace(strings.SplitN(bl[i], ":", 2)[0])
		if al[i] != bl[i] && key != "lastmodified" {
			out = append(out, key)
		}
	}
	return out
}

// TestEncryptKeepingMinimalDiff: re-encrypting with one value changed
// changes that value's line, lastmodified, mac and the seal; every other
// line, the data key's included, stays byte for byte.
func TestEncryptKeepingMinimalDiff(t *testing.T) {
	k := newTestKey(t)
	for _, r := range sealRules(k) {
		t.Run(r.name, func(t *testing.T) {
			// sops moves an inline comment above its key on the first
			// round trip; a document written by secretsctl has none.
			doc := strings.Replace(secretDoc, " # inline comment", "", 1)
			enc := encrypt(t, doc, r.rule)
			prev, err := OpenPrevious([]byte(enc), k.keyring)
			require.NoError(t, err)
			edited := strings.Replace(string(prev.Plaintext()), "port: 8080", "port: 8081", 1)
			out, err := EncryptKeeping([]byte(edited), prev)
			require.NoError(t, err)
			assert.Equal(t, []string{"port", "secretsctl_seal", "mac"}, changedLines(t, enc, string(out)))

			node, info, err := DecryptNodeInfo(out, k.keyring)
			require.NoError(t, err)
			assert.True(t, info.Sealed)
			text, err := encodeNode(node)
			require.NoError(t, err)
			assert.Contains(t, string(text), "port: 8081")
			assert.Contains(t, string(text), canary)
		})
	}
}

// TestEncryptKeepingUnchangedKeepsValues: with nothing changed, only the
// sops metadata and the seal change; the plaintext shown is the document.
func TestEncryptKeepingUnchangedKeepsValues(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	prev, err := OpenPrevious([]byte(enc), k.keyring)
	require.NoError(t, err)
	assert.Equal(t, []string{k.recipient}, prev.Recipients())
	assert.Equal(t, secretDoc, stripSeal(string(prev.Plaintext())))
	out, err := EncryptKeeping(prev.Plaintext(), prev)
	require.NoError(t, err)
	assert.Equal(t, []string{"secretsctl_seal", "mac"}, changedLines(t, enc, string(out)))
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", prev, prev, prev, prev), canary)
}

// TestOpenPreviousAfterTextEdit: a clear value edited as text breaks the
// MAC, but the values still open; a damaged encrypted value does not.
func TestOpenPreviousAfterTextEdit(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	edited := strings.Replace(enc, "description: clear text", "description: edited text", 1)
	_, _, err := DecryptNodeInfo([]byte(edited), k.keyring)
	require.ErrorAs(t, err, new(*IntegrityError), "the MAC no longer matches")

	prev, err := OpenPrevious([]byte(edited), k.keyring)
	require.NoError(t, err)
	assert.Contains(t, string(prev.Plaintext()), "description: edited text")
	out, err := EncryptKeeping(prev.Plaintext(), prev)
	require.NoError(t, err)
	_, info, err := DecryptNodeInfo(out, k.keyring)
	require.NoError(t, err)
	assert.True(t, info.Sealed)

	renamed := strings.Replace(enc, "\nvalue: ENC", "\nvalues: ENC", 1)
	_, err = OpenPrevious([]byte(renamed), k.keyring)
	require.ErrorAs(t, err, new(*IntegrityError), "an encrypted value moved to another key")
	assertSafe(t, err)

	other := newTestKey(t)
	_, err = OpenPrevious([]byte(enc), other.keyring)
	require.ErrorIs(t, err, ErrNoKey)
}

// TestOpenPreviousWithKeyOf: a document whose sops metadata was damaged
// opens with the data key of its committed version.
func TestOpenPreviousWithKeyOf(t *testing.T) {
	k := newTestKey(t)
	enc := encrypt(t, secretDoc, regexRule(k))
	damaged := strings.Replace(enc, "\n    age:", "\n    agex:", 1)
	_, err := OpenPrevious([]byte(damaged), k.keyring)
	require.Error(t, err)
	prev, err := OpenPreviousWithKeyOf([]byte(damaged), []byte(enc), k.keyring)
	require.NoError(t, err)
	assert.Contains(t, string(prev.Plaintext()), canary)
}

// TestInteropCLIDecryptsKeptEncryption: the sops CLI decrypts a document
// re-encrypted with its old data key, and sees the new value.
func TestInteropCLIDecryptsKeptEncryption(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	for _, r := range sealRules(k) {
		t.Run(r.name, func(t *testing.T) {
			enc := encrypt(t, secretDoc, r.rule)
			prev, err := OpenPrevious([]byte(enc), k.keyring)
			require.NoError(t, err)
			edited := strings.Replace(secretDoc, "note: hi", "note: changed", 1)
			out, err := EncryptKeeping([]byte(edited), prev)
			require.NoError(t, err)
			path := writeFile(t, filepath.Join(t.TempDir(), "doc.yaml"), string(out))
			plain, stderr, err := cli.decrypt(t, path)
			require.NoError(t, err, "sops decrypt: %s", stderr)
			assert.Contains(t, plain, "note: changed")
			ours, err := Decrypt(out, k.keyring)
			require.NoError(t, err)
			assert.Equal(t, string(ours), plain)
		})
	}
}
