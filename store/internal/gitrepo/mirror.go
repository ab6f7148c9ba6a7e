package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
)

// Mirror is a bare repository that follows a remote: [Mirror.Sync] fetches
// and fast-forwards its branches. It never pushes and never writes a commit
// of its own. Read it through [Mirror.Repo].
type Mirror struct {
	url  string
	repo *Repo
}

// remoteName is the remote a mirror fetches from.
const remoteName = "origin"

// OpenMirror opens the bare repository in dir, or creates it (and dir) when
// it does not exist, with url as its remote. Nothing is fetched yet.
func OpenMirror(dir, url string) (*Mirror, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open mirror %s: %w", dir, err)
	}
	g, err := git.PlainOpen(abs)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return nil, fmt.Errorf("open mirror: %w", err)
		}
		g, err = git.PlainInit(abs, true)
	}
	if err != nil {
		return nil, fmt.Errorf("open mirror %s: %w", abs, err)
	}
	if err := setRemote(g, url); err != nil {
		return nil, fmt.Errorf("open mirror %s: %w", abs, err)
	}
	r := &Repo{root: abs, gitDir: abs, commonDir: abs, repo: g, bare: true}
	if err := r.checkFormat(); err != nil {
		return nil, fmt.Errorf("open mirror %s: %w", abs, err)
	}
	return &Mirror{url: url, repo: r}, nil
}

// setRemote makes url the mirror's only remote.
func setRemote(g *git.Repository, url string) error {
	if rem, err := g.Remote(remoteName); err == nil {
		if len(rem.Config().URLs) == 1 && rem.Config().URLs[0] == url {
			return nil
		}
		if err := g.DeleteRemote(remoteName); err != nil {
			return err
		}
	}
	_, err := g.CreateRemote(&config.RemoteConfig{Name: remoteName, URLs: []string{url},
		Fetch: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"}})
	return err
}

// Repo returns the repository to read from.
func (m *Mirror) Repo() *Repo { return m.repo }

// Sync fetches the remote's branches and tags and fast-forwards each local
// branch to its remote counterpart, creating the missing ones; HEAD follows
// the remote's default branch. A branch that would not fast-forward is left
// as it is and reported. It returns the commit HEAD names afterwards.
//
// The fetch runs on a second handle on the repository, so readers are not
// held up by the network; branches move with git's atomic ref protocol.
func (m *Mirror) Sync(ctx context.Context) (Commit, error) {
	g, err := git.PlainOpen(m.repo.root)
	if err != nil {
		return Commit{}, fmt.Errorf("sync: %w", err)
	}
	rem, err := g.Remote(remoteName)
	if err != nil {
		return Commit{}, fmt.Errorf("sync: %w", err)
	}
	var advertised []*plumbing.Reference
	err = m.repo.network(ctx, remoteName, func(o remoteOpts) error {
		var err error
		lister := rem
		if o.url != "" {
			lister = git.NewRemote(g.Storer, &config.RemoteConfig{Name: remoteName, URLs: []string{o.url}})
		}
		if advertised, err = lister.ListContext(ctx, &git.ListOptions{Auth: o.auth, ProxyOptions: o.proxy}); err != nil {
			return err
		}
		return rem.FetchContext(ctx, &git.FetchOptions{RemoteURL: o.url, Auth: o.auth, ProxyOptions: o.proxy, Tags: git.NoTags, Force: true,
			RefSpecs: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"}})
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return Commit{}, fmt.Errorf("fetch: %w", err)
	}
	var errs []error
	for _, ref := range advertised {
		if ref.Name().IsBranch() && ref.Type() == plumbing.HashReference {
			if err := m.fastForward(ctx, g, ref.Name(), ref.Hash()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := m.followHead(g, advertised); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return Commit{}, err
	}
	return m.repo.Head()
}

// fastForward moves a local branch to target when target descends from it.
func (m *Mirror) fastForward(ctx context.Context, g *git.Repository, branch plumbing.ReferenceName, target plumbing.Hash) error {
	cur, err := g.Storer.Reference(branch)
	var old plumbing.Hash
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return fmt.Errorf("read %s: %w", branch, err)
	default:
		old = cur.Hash()
	}
	if old == target {
		return nil
	}
	if !old.IsZero() {
		ok, err := isAncestor(g, old, target)
		if err != nil {
			return fmt.Errorf("fast-forward %s: %w", branch.Short(), err)
		}
		if !ok {
			return fmt.Errorf("fast-forward %s from %s to %s: %w (the remote history was rewritten; the mirror keeps %s)",
				branch.Short(), old, target, errNotFastForward, old)
		}
	}
	return m.repo.updateRef(ctx, refUpdate{branch: branch, old: old, new: target,
		who: Signature{Name: "secretsctl", Email: "secretsctl@localhost"}, when: time.Now(), reason: "fetch: fast-forward"})
}

// isAncestor reports whether commit a is an ancestor of (or equal to) b.
func isAncestor(g *git.Repository, a, b plumbing.Hash) (bool, error) {
	ca, err := g.CommitObject(a)
	if err != nil {
		return false, err
	}
	cb, err := g.CommitObject(b)
	if err != nil {
		return false, err
	}
	return ca.IsAncestor(cb)
}

// followHead points HEAD at the branch the remote's HEAD names.
func (m *Mirror) followHead(g *git.Repository, advertised []*plumbing.Reference) error {
	target := defaultBranch(advertised)
	if target == "" {
		return nil
	}
	head, err := g.Storer.Reference(plumbing.HEAD)
	if err == nil && head.Type() == plumbing.SymbolicReference && head.Target() == target {
		return nil
	}
	if err := g.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, target)); err != nil {
		return fmt.Errorf("set HEAD: %w", err)
	}
	return nil
}

// defaultBranch is the branch the remote's HEAD points to: the symbolic
// target when the server says it, else the branch at HEAD's commit (main
// or master first).
func defaultBranch(refs []*plumbing.Reference) plumbing.ReferenceName {
	var head *plumbing.Reference
	for _, r := range refs {
		if r.Name() == plumbing.HEAD {
			head = r
		}
	}
	if head == nil {
		return ""
	}
	if head.Type() == plumbing.SymbolicReference {
		return head.Target()
	}
	var found plumbing.ReferenceName
	for _, r := range refs {
		if r.Name().IsBranch() && r.Hash() == head.Hash() {
			if r.Name() == plumbing.Main || r.Name() == plumbing.Master || found == "" {
				found = r.Name()
			}
		}
	}
	return found
}
