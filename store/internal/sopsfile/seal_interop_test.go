package sopsfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sealRules are rule variants for the seal's interop tests: the seal in
// clear and in the MAC, encrypted, in clear outside the MAC.
func sealRules(k testKey) []struct {
	name string
	rule Rule
} {
	only := func(r Rule) Rule { r.Recipients = []string{k.recipient}; return r }
	return []struct {
		name string
		rule Rule
	}{
		{"encrypted_regex", only(Rule{EncryptedRegex: resourceRegex})},
		{"default", only(Rule{})},
		{"unencrypted_regex", only(Rule{UnencryptedRegex: "^(name|description)$"})},
		{"mac_only_encrypted", only(Rule{EncryptedRegex: resourceRegex, MACOnlyEncrypted: true})},
	}
}

// TestInteropCLIDecryptsSealedFiles: `sops decrypt` reads a sealed file and
// shows the seal, as Decrypt does.
func TestInteropCLIDecryptsSealedFiles(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	for _, r := range sealRules(k) {
		for _, d := range []struct{ name, doc string }{{"secret", secretDoc}, {"resource", resourceDoc(3)}, {"scenario", scenarioDoc}, {"comments", commentsDoc}} {
			t.Run(r.name+"/"+d.name, func(t *testing.T) {
				enc := encrypt(t, d.doc, r.rule)
				path := writeFile(t, filepath.Join(t.TempDir(), "doc.yaml"), enc)
				out, stderr, err := cli.decrypt(t, path)
				require.NoError(t, err, "sops decrypt: %s", stderr)
				assert.Regexp(t, `(?m)^secretsctl_seal: v1:\S+$`, out)
				ours, err := Decrypt([]byte(enc), k.keyring)
				require.NoError(t, err)
				assert.Equal(t, string(ours), out)
				node, info, err := DecryptNodeInfo([]byte(enc), k.keyring)
				require.NoError(t, err)
				assert.True(t, info.Sealed)
				assert.Equal(t, sopsLossy(sopsValues(t, out)), sopsLossy(values(t, node)))
			})
		}
	}
}

// TestInteropSopsEditsUnseal: a sealed file edited with the sops CLI (set,
// edit, rotate), right after Encrypt wrote it, is unsealed, not tampered
// with; one whose keys only sops updatekeys changed stays sealed. Edits the
// seal would refuse then pass, as they pass sops.
func TestInteropSopsEditsUnseal(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	other := newTestKey(t)
	editor := writeFile(t, filepath.Join(t.TempDir(), "editor.sh"), "#!/bin/sh\nsed -i.bak 's/^description:/summary:/' \"$1\"\n")
	require.NoError(t, os.Chmod(editor, 0o700))
	tests := []struct {
		name   string
		args   []string
		env    []string
		sealed bool
		want   string
	}{
		{"sops set", []string{"set", "doc.yaml", `["name"]`, `"app"`}, nil, false, "name: app"},
		{"sops set a new key", []string{"set", "doc.yaml", `["added"]`, `"x"`}, nil, false, "added: x"},
		{"sops set a type only", []string{"set", "doc.yaml", `["nested"]["port"]`, `"8080"`}, nil, false, `port: "8080"`},
		{"sops set a clear value", []string{"set", "doc.yaml", `["description"]`, `"changed"`}, nil, false, "description: changed"},
		{"sops edit", []string{"edit", "doc.yaml"}, []string{"EDITOR=" + editor}, false, "summary: "},
		{"sops rotate", []string{"rotate", "-i", "doc.yaml"}, nil, false, "name: web"},
		{"sops updatekeys", []string{"updatekeys", "-y", "doc.yaml"}, nil, true, "name: web"},
	}
	for _, r := range sealRules(k) {
		for _, tt := range tests {
			t.Run(r.name+"/"+tt.name, func(t *testing.T) {
				dir := t.TempDir()
				extra := ""
				if r.rule.EncryptedRegex != "" {
					extra = "\n    encrypted_regex: " + r.rule.EncryptedRegex
				}
				if r.rule.UnencryptedRegex != "" {
					extra = "\n    unencrypted_regex: " + r.rule.UnencryptedRegex
				}
				if r.rule.MACOnlyEncrypted {
					extra += "\n    mac_only_encrypted: true"
				}
				writeFile(t, filepath.Join(dir, ".sops.yaml"), "creation_rules:\n  - age: "+k.recipient+","+other.recipient+extra+"\n")
				path := writeFile(t, filepath.Join(dir, "doc.yaml"), encrypt(t, secretDoc, r.rule))
				_, stderr, err := cli.runEnv(dir, tt.env, tt.args...)
				require.NoError(t, err, "sops %s: %s", tt.args[0], stderr)
				edited, err := os.ReadFile(path)
				require.NoError(t, err)
				if tt.name == "sops updatekeys" {
					require.Contains(t, string(edited), other.recipient, "updatekeys added a recipient")
				}

				out, stderr, err := cli.decrypt(t, path)
				require.NoError(t, err, "sops decrypt: %s", stderr)
				assert.Contains(t, out, "secretsctl_seal: ", "sops keeps the seal")
				node, info, err := DecryptNodeInfo(edited, k.keyring)
				require.NoError(t, err)
				assert.Equal(t, Info{Sealed: tt.sealed, MACOnlyEncrypted: r.rule.MACOnlyEncrypted}, info)
				text, err := encodeNode(node)
				require.NoError(t, err)
				assert.Contains(t, string(text), tt.want)
				assert.NotContains(t, string(text), "secretsctl_seal")
				assert.Equal(t, sopsLossy(sopsValues(t, out)), sopsLossy(values(t, node)))

				if tt.sealed {
					return
				}
				// Unsealed: what only the seal saw now passes, as in sops.
				renamed := strings.Replace(string(edited), "\nname: ", "\nrenamed: ", 1)
				require.NotEqual(t, string(edited), renamed)
				_, info, err = DecryptNodeInfo([]byte(renamed), k.keyring)
				if r.rule.EncryptedRegex == "" {
					// renamed: is encrypted: the value's path is bound.
					assert.ErrorContains(t, err, "value at renamed")
					return
				}
				require.NoError(t, err)
				assert.False(t, info.Sealed)
			})
		}
	}
}

// TestInteropCLIRejectsSealTampering: editing or deleting the seal without
// the key fails the sops MAC (for sops too); absorbing it into the clear
// value before it fools the MAC, so only the seal's mark catches it.
func TestInteropCLIRejectsSealTampering(t *testing.T) {
	k := newTestKey(t)
	cli := newSopsCLI(t, k)
	only := func(r Rule) Rule { r.Recipients = []string{k.recipient}; return r }
	enc := encrypt(t, scenarioDoc, only(Rule{EncryptedRegex: resourceRegex}))
	encDefault := encrypt(t, scenarioDoc, only(Rule{}))
	seal := sealOf(t, enc)
	tests := []struct {
		name       string
		doc        string
		sopsAccept bool
		reason     string
	}{
		{"edit the seal", strings.Replace(enc, seal, strings.Replace(seal, ":", ":x", 1)[:len(seal)], 1), false, "mac mismatch"},
		{"delete the seal", deleteLine("secretsctl_seal: ")(enc), false, "mac mismatch"},
		{"delete the encrypted seal", deleteLine("secretsctl_seal: ")(encDefault), false, "mac mismatch"},
		{"absorb the seal into the clear value before it", deleteLine("secretsctl_seal: ")(replace("reason: generated override\n", "reason: generated override"+seal+"\n")(enc)), true, "seal missing"},
		{"move an override to another secret", replace("res-140/SECRET_000:", "res-153/SECRET_000:")(enc), true, "seal mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, enc, tt.doc)
			path := writeFile(t, filepath.Join(t.TempDir(), "doc.yaml"), tt.doc)
			_, stderr, err := cli.decrypt(t, path)
			require.Equal(t, tt.sopsAccept, err == nil, "sops decrypt: %s", stderr)
			_, err = DecryptNode([]byte(tt.doc), k.keyring)
			var ie *IntegrityError
			require.ErrorAs(t, err, &ie)
			assert.Contains(t, ie.Reason, tt.reason)
			assertSafe(t, err)
		})
	}
}
