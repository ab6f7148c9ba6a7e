package sopsfile

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/getsops/sops/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// movedItemRE is the last item of the list before "name:", to be moved
// onto a comment line.
var movedItemRE = regexp.MustCompile(`(?m)^    - (ENC\[[^\n]*type:str\])\n(name:)`)

// test that an encrypted sequence item moved onto a "#ENC[…]" comment line
// does not pass: sops reads it back as the item, and DecryptNode, which
// would otherwise read it as a comment and drop the item while the MAC
// still verifies, refuses it; sealed or not.
func TestItemMovedOntoCommentLine(t *testing.T) {
	k := newTestKey(t)
	group, err := masterKeys([]string{k.recipient})
	require.NoError(t, err)
	const plain = "list:\n    - a\n    - " + canary + "\nname: x\n"

	st := newStore()
	branches, err := st.LoadPlainFile([]byte(plain))
	require.NoError(t, err)
	tree := sops.Tree{Branches: branches, Metadata: sops.Metadata{KeyGroups: []sops.KeyGroup{group}, Version: "3.13.3",
		UnencryptedSuffix: sops.DefaultUnencryptedSuffix}}
	require.NoError(t, encryptLikeSops(&tree))
	unsealed, err := st.EmitEncryptedFile(tree)
	require.NoError(t, err)
	sealed := encrypt(t, plain, Rule{Recipients: []string{k.recipient}})

	for name, enc := range map[string]string{"unsealed": string(unsealed), "sealed": sealed} {
		t.Run(name, func(t *testing.T) {
			_, info, err := DecryptNodeInfo([]byte(enc), k.keyring)
			require.NoError(t, err, "the document as written reads")
			require.Equal(t, name == "sealed", info.Sealed)

			moved := movedItemRE.ReplaceAllString(enc, "    #$1\n$2")
			require.NotEqual(t, enc, moved, "the item was moved")
			_, err = DecryptNode([]byte(moved), k.keyring)
			var ie *IntegrityError
			require.ErrorAs(t, err, &ie)
			assert.NotContains(t, err.Error(), canary)
			if name == "unsealed" {
				assert.True(t, isValueOnComment(err), "%v", err)
				assert.Contains(t, err.Error(), "comment at list:")
				plain, derr := Decrypt([]byte(moved), k.keyring)
				require.NoError(t, derr, "sops reads the moved item back as an item")
				assert.Contains(t, string(plain), canary)
			}
		})
	}
}

// isValueOnComment reports the refusal of TestItemMovedOntoCommentLine,
// which Decrypt does not make (it reads the value as an item).
func isValueOnComment(err error) bool {
	var ie *IntegrityError
	return errors.As(err, &ie) && strings.Contains(ie.Reason, errValueOnComment.Error())
}
