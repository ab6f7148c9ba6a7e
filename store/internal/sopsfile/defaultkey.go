package sopsfile

import "path/filepath"

// DefaultKeyFile returns where sops looks for age identities when no
// SOPS_AGE_KEY* variable is set: keys.txt under the user's config dir.
func DefaultKeyFile(getenv func(string) string) (string, error) {
	dir, err := userConfigDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.FromSlash(defaultKeysPath)), nil
}
