package cli

import "path/filepath"

// resolvePath makes p absolute relative to the command's working directory.
func resolvePath(e *env, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(e.cwd, p)
}
