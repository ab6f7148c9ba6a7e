//go:build unix

package gitrepo

import (
	"os"
	"syscall"
)

// mapFile maps a file read-only into memory; a pack's .idx is read only
// where a lookup lands (the fan-out table and a few pages of names), not
// whole. release unmaps it. git replaces pack files by renaming new ones
// into place, never by rewriting them, so the mapping stays valid.
func mapFile(name string) (data []byte, release func(), err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if fi.Size() == 0 || fi.Size() != int64(int(fi.Size())) {
		return nil, nil, os.ErrInvalid
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { _ = syscall.Munmap(b) }, nil
}
