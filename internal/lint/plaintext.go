package lint

import (
	"bytes"
	"path"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// RulePlaintextFile is a file git tracks in the store, outside SOPS, that
// looks like a dotenv file or holds a value of the store's vault.
const RulePlaintextFile = "plaintext-file"

// minValueLen is the shortest vault value looked for in plaintext files:
// shorter ones ("5432", "admin") match too much by chance.
const minValueLen = 8

// dotenvTemplates are dotenv names teams commit on purpose, with placeholder
// values; they are reported only when they hold a value of the store.
var dotenvTemplates = []string{".env.example", ".env.sample", ".env.template", ".env.dist"}

// lintPlaintextFiles reports tracked files that are not SOPS documents and
// look like a dotenv file, or hold a value of a vault (only when the vault
// can be decrypted). A finding names the secret, never its value.
func lintPlaintextFiles(sn *store.Snapshot, r *Report, hasKey bool) error {
	files, err := sn.TrackedFiles()
	if err != nil {
		return err
	}
	var values map[string]string
	if hasKey {
		values = vaultValues(sn)
	}
	for _, f := range files {
		if isDocument(f) {
			if !hasKey {
				lintUnencryptedDocument(sn, f, r)
			}
			continue // with a key, reading it reports a plaintext document as an integrity error
		}
		data, err := sn.ReadFile(f)
		if err != nil || store.IsEncrypted(data) {
			continue
		}
		if id := valueIn(data, values); id != "" {
			r.add(Finding{Rule: RulePlaintextFile, Severity: Error, File: f,
				Message: "holds the value of " + id + " in plaintext, in git",
				Hint:    "remove it (git rm --cached " + f + "), rotate " + id + ", and list the file in .gitignore"})
			continue
		}
		if looksLikeDotenv(f) {
			r.add(Finding{Rule: RulePlaintextFile, Severity: Error, File: f,
				Message: "a dotenv file is tracked in plaintext: its values are in git for anyone with the repository",
				Hint:    "remove it (git rm --cached " + f + "), list it in .gitignore, and keep values in the vault (secretsctl set)"})
		}
	}
	return nil
}

// lintUnencryptedDocument reports a store document that is not SOPS
// encrypted, which a read without a key accepts as merely unverified: a
// keyless review must still refuse it.
func lintUnencryptedDocument(sn *store.Snapshot, f string, r *Report) {
	if strings.HasPrefix(f, store.LedgerDir+"/") {
		return
	}
	data, err := sn.ReadFile(f)
	if err != nil || store.IsEncrypted(data) {
		return
	}
	r.add(Finding{Rule: RuleIntegrity, Severity: Error, File: f,
		Message: "not SOPS-encrypted (every store document carries a SOPS MAC and a seal): seal it with `secretsctl seal " + f + "`",
		Hint:    "secretsctl seal " + f})
}

// isDocument reports whether a file is one of the store's SOPS documents.
func isDocument(file string) bool {
	if file == store.ConfigFile || strings.HasPrefix(file, store.LedgerDir+"/") {
		return true
	}
	dir, name := path.Split(file)
	return strings.HasSuffix(name, ".yaml") && slices.Contains([]string{"resources/", "scenarios/", "vault/"}, dir)
}

// looksLikeDotenv reports whether a file is named like a dotenv file:
// .env, .env.local, production.env; not the usual committed templates.
func looksLikeDotenv(file string) bool {
	base := path.Base(file)
	if slices.Contains(dotenvTemplates, base) {
		return false
	}
	return base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env")
}

// vaultValues maps every vault value long enough to look for to its secret
// id; vaults that cannot be read are skipped (other rules report them).
func vaultValues(sn *store.Snapshot) map[string]string {
	scopes, err := sn.VaultScopes()
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, scope := range scopes {
		v, err := sn.Vault(scope)
		if err != nil {
			continue
		}
		for id, val := range v.Values {
			if prev, ok := out[val]; len(val) >= minValueLen && (!ok || id < prev) {
				out[val] = id
			}
		}
	}
	return out
}

// valueIn returns the id of a value found in data, the smallest id when
// several are; "" when none is.
func valueIn(data []byte, values map[string]string) string {
	found := ""
	for val, id := range values {
		if bytes.Contains(data, []byte(val)) && (found == "" || id < found) {
			found = id
		}
	}
	return found
}
