package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// RekeyResult is what [Store.RekeyFile] or [Store.RotateFile] did to one
// file.
type RekeyResult struct {
	// File is the store-relative path.
	File string
	// Recipients name the master keys the data key is now encrypted to:
	// age recipients, PGP fingerprints, Vault transit key URLs, KMS keys.
	Recipients []string
	// Added and Removed compare Recipients with the file's before.
	Added, Removed []string
	// Rotated is set when the document got a new data key.
	Rotated bool
}

// RekeyFile encrypts the data key of a SOPS document of the work tree to
// the master keys and key groups the creation rule of .sops.yaml now gives
// for its path, as `sops updatekeys` does: the way to add or remove a
// recipient of any key type (edit .sops.yaml, then rekey). The data key
// stays the same, so every value keeps its ciphertext and a diff shows only
// the sops metadata; a removed key can no longer open the document, but
// whoever held it may have kept the data key: [Store.RotateFile] changes
// that too. The document must decrypt and verify first; its content is not
// changed, nor validated. It does not commit.
func (s *Store) RekeyFile(rel string) (RekeyResult, error) {
	return s.rekey(rel, false)
}

// RotateFile is [Store.RekeyFile] with a new data key, as `sops rotate`
// does: every encrypted value gets a new ciphertext, and the creation
// rule's options (which values are encrypted) apply anew.
func (s *Store) RotateFile(rel string) (RekeyResult, error) {
	return s.rekey(rel, true)
}

// rekey is RekeyFile, or RotateFile when rotate is set.
func (s *Store) rekey(rel string, rotate bool) (RekeyResult, error) {
	res := RekeyResult{File: rel, Rotated: rotate}
	d, prev, err := s.openForRekey(rel)
	if err != nil {
		return res, err
	}
	rules, err := s.rules(nil)
	if err != nil {
		return res, err
	}
	rule, err := rules.For(rel)
	if err != nil {
		return res, fmt.Errorf(".sops.yaml: %w", err)
	}
	old := prev.Keys()
	if !rotate {
		if err := prev.UpdateKeys(rule); err != nil {
			return res, fmt.Errorf("rekey %s: %w", rel, err)
		}
		d.prev = prev
	}
	d.plain = withoutSeal(prev.Plaintext())
	if err := d.write(d.plain); err != nil {
		return res, err
	}
	res.Recipients = rule.Keys()
	res.Added, res.Removed = missing(old, res.Recipients), missing(res.Recipients, old)
	return res, nil
}

// openForRekey reads, decrypts and verifies a work-tree document and opens
// its data key.
func (s *Store) openForRekey(rel string) (*Draft, *sopsfile.Previous, error) {
	data, err := os.ReadFile(s.worktreePath(rel))
	if err != nil {
		return nil, nil, err
	}
	if !sopsfile.IsEncrypted(data) {
		return nil, nil, &DocumentError{File: rel, Reason: "not SOPS-encrypted: seal it first with `secretsctl seal " + rel + "`"}
	}
	_, info, err := sopsfile.DecryptNodeInfo(data, s.keys)
	switch {
	case err != nil:
		return nil, nil, sealError(rel, err)
	case info.MACOnlyEncrypted && !info.Sealed:
		return nil, nil, &IntegrityError{File: rel, Reason: "its MAC covers encrypted values only (mac_only_encrypted), so clear values cannot be verified before re-encrypting; re-create it from a reviewed plaintext"}
	}
	prev, err := sopsfile.OpenPrevious(data, s.keys)
	if err != nil {
		return nil, nil, sealError(rel, err)
	}
	return &Draft{store: s, rel: rel, file: data, Encrypted: true}, prev, nil
}

// missing returns the items of b that are not in a.
func missing(a, b []string) []string {
	var out []string
	for _, s := range b {
		if !slices.Contains(a, s) {
			out = append(out, s)
		}
	}
	return out
}

// DocumentFiles lists the authored documents of the work tree that exist:
// secretsctl.yaml, then resources, scenarios and vault files, sorted. The
// ledger's event files (deployments/) are records, not authored documents,
// and are not listed.
func (s *Store) DocumentFiles() ([]string, error) {
	src := worktreeSource{s}
	var out []string
	if _, err := os.Stat(s.worktreePath(ConfigFile)); err == nil {
		out = append(out, ConfigFile)
	}
	for _, dir := range []string{"resources", "scenarios", "vault"} {
		names, err := docNames(src, dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, name := range names {
			out = append(out, dir+"/"+name+".yaml")
		}
	}
	return out, nil
}
