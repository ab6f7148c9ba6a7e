package store

import (
	"errors"
	"io/fs"
	"os"
	"slices"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// RekeyResult is what [Store.RekeyFile] did to one file.
type RekeyResult struct {
	// File is the store-relative path.
	File string
	// Recipients are the age recipients the new data key is encrypted to.
	Recipients []string
	// Added and Removed compare Recipients with the file's before.
	Added, Removed []string
}

// RekeyFile re-encrypts a SOPS document of the work tree with a new data
// key, for the recipients and options of the creation rule .sops.yaml now
// gives for its path: the way to rotate a data key and to add or remove a
// recipient (edit .sops.yaml, then rekey). The document must decrypt and
// verify first; its content is not changed, nor validated. Every encrypted
// value gets a new ciphertext. It does not commit.
func (s *Store) RekeyFile(rel string) (RekeyResult, error) {
	res := RekeyResult{File: rel}
	data, err := os.ReadFile(s.worktreePath(rel))
	if err != nil {
		return res, err
	}
	if !sopsfile.IsEncrypted(data) {
		return res, &DocumentError{File: rel, Reason: "not SOPS-encrypted: seal it first with `secretsctl seal " + rel + "`"}
	}
	d := &Draft{store: s, rel: rel, file: data, Encrypted: true}
	_, info, err := sopsfile.DecryptNodeInfo(data, s.keys)
	switch {
	case err != nil:
		return res, sealError(rel, err)
	case info.MACOnlyEncrypted && !info.Sealed:
		return res, &IntegrityError{File: rel, Reason: "its MAC covers encrypted values only (mac_only_encrypted), so clear values cannot be verified before re-encrypting; re-create it from a reviewed plaintext"}
	}
	prev, err := sopsfile.OpenPrevious(data, s.keys)
	if err != nil {
		return res, sealError(rel, err)
	}
	rules, err := s.rules(nil)
	if err != nil {
		return res, err
	}
	rule, err := rules.For(rel)
	if err != nil {
		return res, err
	}
	d.plain = withoutSeal(prev.Plaintext())
	if err := d.write(d.plain); err != nil {
		return res, err
	}
	old := prev.Recipients()
	res.Recipients = rule.Recipients
	res.Added, res.Removed = missing(old, rule.Recipients), missing(rule.Recipients, old)
	return res, nil
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
