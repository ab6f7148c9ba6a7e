package store

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// TrackedFiles lists the files of the store git tracks at this revision,
// store-relative and sorted: the files of the commit, or, for a work tree
// snapshot, the files in git's index (tracked or staged) that are on disk.
// Ignored and untracked files are not listed.
func (sn *Snapshot) TrackedFiles() ([]string, error) {
	if sn.Revision != WorktreeRevision {
		return sn.src.walk("")
	}
	paths, err := sn.store.repo.IndexPaths(sn.store.prefix)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range paths {
		rel := p
		if sn.store.prefix != "" {
			rel = strings.TrimPrefix(p, sn.store.prefix+"/")
		}
		if fi, err := os.Lstat(filepath.Join(sn.store.dir, filepath.FromSlash(rel))); err == nil && fi.Mode().IsRegular() {
			out = append(out, rel)
		}
	}
	return out, nil
}

// IsEncrypted reports whether data is a SOPS-encrypted document (it
// carries SOPS metadata), without decrypting it.
func IsEncrypted(data []byte) bool { return sopsfile.IsEncrypted(data) }
