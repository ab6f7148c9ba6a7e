// Package gitrepo reads files at a git revision and writes commits safely. It
// is the only package in secretsctl that imports go-git.
//
// A [Repo] is an opened work tree (or, with [OpenBare], a bare
// repository). [Repo.Resolve] turns a revision into a [Commit], [Repo.Tree]
// gives the read-only content of that commit, [Repo.Apply] writes one
// [Change] as one commit on the current branch, and [Repo.CommitBranch]
// writes one on another branch without a work tree (the ledger).
//
// # Writing a commit
//
// Neither runs go-git's work tree machinery, which computes the status of
// every file. Both build blob, tree and commit objects with go-git's object
// API from the branch's tree plus the change, then move the branch:
//
//  1. Writers on one machine are serialised by an exclusive flock(2) on
//     secretsctl.lock in the git directory.
//  2. Apply only: the index is locked the way git locks it (index.lock,
//     created with O_EXCL), so a concurrently running git command is
//     neither corrupted nor corrupts us; a path the change touches must be,
//     in the work tree and in the index, either as in HEAD or already as the
//     change leaves it; otherwise Apply fails with a [*DirtyError] and
//     changes nothing.
//  3. Objects are written and fsynced; then the branch is moved with git's own
//     ref lock protocol (refs/heads/NAME.lock, compare with the expected old
//     value, fsync, rename). That rename is the commit point: a crash before
//     it leaves the repository as it was, a crash after it leaves the commit.
//  4. Apply only: the changed files are written atomically (temporary file,
//     fsync, rename) and exactly their index entries are updated, through
//     go-git's index codec, so git status reports them clean.
//
// CommitBranch never reads or writes the work tree, the index or HEAD;
// [Repo.PushBranch] pushes such a branch with a compare-and-swap and replays
// its commits onto the remote's when the push is rejected.
//
// Objects are read through go-git's storage, with pack files kept open
// between reads.
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
