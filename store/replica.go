package store

import (
	"context"
	"fmt"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
)

// Replica is a read-only copy of a remote store: a bare clone that
// [Replica.Sync] fetches and fast-forwards. It never commits and never
// pushes. The store must be at the root of the remote repository.
type Replica struct {
	mirror *gitrepo.Mirror
	store  *Store
	remote string
}

// OpenReplica opens (or creates) the bare clone in dir that follows the
// repository at remote (any URL git understands: file://, git://,
// https://, ssh). Nothing is fetched until [Replica.Sync].
func OpenReplica(remote, dir string, opts Options) (*Replica, error) {
	m, err := gitrepo.OpenMirror(dir, remote)
	if err != nil {
		return nil, err
	}
	repo := m.Repo()
	repo.SetCredentials(gitrepo.Credentials{TokenFile: opts.GitTokenFile,
		SSHKeyFile: opts.SSHKeyFile, KnownHostsFile: opts.KnownHostsFile})
	keys, err := loadKeys(opts)
	if err != nil {
		return nil, err
	}
	st := &Store{dir: repo.Root(), repo: repo, keys: keys, fetchesAll: true}
	return &Replica{mirror: m, store: st, remote: remote}, nil
}

// Store is the replica's store. Before the first successful [Replica.Sync]
// it has no commits: every read fails with a [*NotFoundError].
func (r *Replica) Store() *Store { return r.store }

// Remote is the URL the replica follows, without any password it holds.
func (r *Replica) Remote() string { return RedactURL(r.remote) }

// Sync fetches the remote and fast-forwards every branch, and returns the
// revision HEAD names afterwards. When it fails, the replica keeps the
// revisions it had.
func (r *Replica) Sync(ctx context.Context) (Revision, error) {
	c, err := r.mirror.Sync(ctx)
	if err != nil {
		return Revision{}, fmt.Errorf("sync %s: %w", r.Remote(), err)
	}
	return revisionOf(c), nil
}

// ErrAuth marks a remote that refused the credentials presented, or asked
// for credentials when git found none (see docs/store-format.md,
// "Credentials"). The error names the remote, never the credential.
var ErrAuth = gitrepo.ErrAuth

// RedactURL removes the user information from a URL (a token is often the
// user name), so a URL can be logged. A URL that does not parse is not
// shown at all.
func RedactURL(s string) string { return gitrepo.RedactURL(s) }
