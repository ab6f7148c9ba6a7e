package gitrepo

import (
	"errors"
	"strings"
)

var (
	// ErrNotRepo is returned by [Open] when no git repository contains the
	// directory.
	ErrNotRepo = errors.New("not a git repository")

	// ErrUnknownRevision is returned by [Repo.Resolve] when the revision does
	// not name a commit. The error wrapping it names the revision.
	ErrUnknownRevision = errors.New("unknown revision")

	// ErrNoCommits is returned by [Repo.Resolve] when HEAD's branch has no
	// commit yet.
	ErrNoCommits = errors.New("no commits yet")

	// ErrConcurrentUpdate is returned by [Repo.Apply] when the branch moved
	// while the commit was being prepared (another program committed).
	ErrConcurrentUpdate = errors.New("branch was updated concurrently")

	// ErrDetachedHead is returned by [Repo.Apply] when HEAD is not on a
	// branch.
	ErrDetachedHead = errors.New("HEAD is detached: check out a branch first")
)

// A DirtyError is returned by [Repo.Apply] when paths it would write or
// remove have uncommitted changes in the work tree or the index. Apply made
// no commit and touched no file.
type DirtyError struct {
	// Paths are the offending slash paths relative to the repository root,
	// sorted.
	Paths []string
}

// Error names the paths, never their content.
func (e *DirtyError) Error() string {
	return "uncommitted changes to " + strings.Join(e.Paths, ", ") + ": commit or stash them first"
}
