// Package gitrepo reads files at a git revision and writes commits safely. It
// is the only package in secretsctl that imports go-git.
//
// A [Repo] is an opened work tree. [Repo.Resolve] turns a revision into a
// [Commit], [Repo.Tree] gives the read-only content of that commit, and
// [Repo.Apply] writes one [Change] as one commit on the current branch.
//
// # Writing a commit
//
// Apply never runs go-git's work tree machinery, which computes the status of
// every file. It builds blob, tree and commit objects directly from HEAD's
// tree plus the change, then moves the branch:
//
//  1. Writers on one machine are serialised by an exclusive flock(2) on
//     secretsctl.lock in the git directory.
//  2. The index is locked the way git locks it (index.lock, created with
//     O_EXCL), so a concurrently running git command is neither corrupted nor
//     corrupts us.
//  3. A path the change touches must be, in the work tree and in the index,
//     either as in HEAD or already as the change leaves it; otherwise Apply
//     fails with a [*DirtyError] and changes nothing.
//  4. Objects are written and fsynced; then the branch is moved with git's own
//     ref lock protocol (refs/heads/NAME.lock, compare with the expected old
//     value, fsync, rename). That rename is the commit point: a crash before
//     it leaves the repository as it was, a crash after it leaves the commit.
//  5. The changed files are written atomically (temporary file, fsync,
//     rename) and exactly their index entries are updated, so git status
//     reports them clean. The index is read and written by this package's
//     own codec (indexfile.go), not go-git's, whose reflection-based
//     decoding grew with every ledger file in HEAD.
//
// Blobs in pack files are read through the pack's .idx directly
// (packread.go); go-git reads loose objects, trees and commits.
//
// # Concurrency
//
// Every method of [Repo] and [Tree] is safe for concurrent use. go-git's
// storage is not, so each Repo serialises its own object reads; open several
// Repos on the same directory for parallel reads.
//
// # Secrets
//
// File contents may be secret: no error from this package contains them.
package gitrepo
