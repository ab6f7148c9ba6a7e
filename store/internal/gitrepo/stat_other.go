//go:build !linux

package gitrepo

import (
	"errors"
	"os"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// fillStat leaves the change time equal to the modification time and the
// device, inode and owner zero. git then rereads the file once to see that
// it is unchanged.
func fillStat(e *index.Entry, fi os.FileInfo) {}

// isNotDir reports whether err says a parent of a path is not a directory.
func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR)
}
