//go:build !unix

package gitrepo

import "os"

// mapFile reads a file into memory (no mmap on this platform).
func mapFile(name string) (data []byte, release func(), err error) {
	b, err := os.ReadFile(name)
	return b, func() {}, err
}
