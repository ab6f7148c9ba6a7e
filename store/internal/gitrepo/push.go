package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ErrDiverged is returned by [Repo.Push] when local commits cannot be
// replayed onto the remote branch without a conflict.
var ErrDiverged = errors.New("local and remote branches changed the same files")

// PushConfig reports git config secretsctl.push (false when unset) and the
// remote of branch (branch.NAME.remote, else "origin").
func (r *Repo) PushConfig(branch string) (push bool, remote string, err error) {
	r.mu.Lock()
	cfg, err := r.repo.Config()
	r.mu.Unlock()
	if err != nil {
		return false, "", fmt.Errorf("read git config: %w", err)
	}
	push = cfg.Raw.Section("secretsctl").Option("push") == "true"
	remote = "origin"
	if b, ok := cfg.Branches[branch]; ok && b.Remote != "" {
		remote = b.Remote
	}
	return push, remote, nil
}

// Remotes lists the names of the configured remotes, sorted.
func (r *Repo) Remotes() ([]string, error) {
	r.mu.Lock()
	cfg, err := r.repo.Config()
	r.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("read git config: %w", err)
	}
	var names []string
	for name := range cfg.Remotes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// PushBranch pushes a branch (not HEAD's: it is committed to with
// [Repo.CommitBranch]) to the same branch of remote. The push is a
// compare-and-swap: the remote updates its ref only if it still names the
// commit it advertised. When the remote rejects it because the branch moved
// (someone pushed first), PushBranch fetches the remote branch, replays the
// local commits onto it (writers add new files, so this does not
// conflict), and tries again, up to attempts times. It returns the commit
// the remote branch points to afterwards. The work tree and index are
// never touched.
func (r *Repo) PushBranch(ctx context.Context, remote, branch string, attempts int) (Commit, error) {
	ref := plumbing.NewBranchReferenceName(branch)
	spec := config.RefSpec(ref.String() + ":" + ref.String())
	for i := 1; ; i++ {
		err := r.network(ctx, remote, func(o remoteOpts) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			return r.repo.PushContext(ctx, &git.PushOptions{RemoteName: remote, RemoteURL: o.url, Auth: o.auth, ProxyOptions: o.proxy,
				RefSpecs: []config.RefSpec{spec}})
		})
		if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
			return r.Resolve(ref.String())
		}
		if !rejected(err) || i >= attempts {
			return Commit{}, fmt.Errorf("push %s to %s: %w", branch, remote, err)
		}
		// Wait first, then fetch, replay and push at once: the push
		// succeeds only if nobody pushed since the fetch.
		if err := backoff(ctx, i); err != nil {
			return Commit{}, err
		}
		onto, ok, err := r.FetchBranch(ctx, remote, branch)
		if err != nil {
			return Commit{}, err
		}
		if ok {
			if err := r.rebaseBranch(ctx, ref, plumbing.NewHash(onto)); err != nil {
				return Commit{}, err
			}
		}
	}
}

// FetchBranch fetches branch from remote into refs/remotes/REMOTE/BRANCH
// and returns the commit it names; ok is false when the remote has no such
// branch.
func (r *Repo) FetchBranch(ctx context.Context, remote, branch string) (hash string, ok bool, err error) {
	tracking := plumbing.NewRemoteReferenceName(remote, branch)
	fetch := config.RefSpec("+" + plumbing.NewBranchReferenceName(branch).String() + ":" + tracking.String())
	err = r.network(ctx, remote, func(o remoteOpts) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: remote, RemoteURL: o.url, Auth: o.auth, ProxyOptions: o.proxy,
			RefSpecs: []config.RefSpec{fetch}, Tags: git.NoTags})
	})
	var nomatch git.NoMatchingRefSpecError
	switch {
	case errors.As(err, &nomatch):
		return "", false, nil
	case err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate):
		return "", false, fmt.Errorf("fetch %s from %s: %w", branch, remote, err)
	}
	ref, err := r.reference(tracking)
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", tracking, err)
	}
	return ref.Hash().String(), true, nil
}

// RefHash returns the commit a full reference name ("refs/heads/x",
// "refs/remotes/origin/x") points to; ok is false when it does not exist.
func (r *Repo) RefHash(name string) (hash string, ok bool, err error) {
	ref, err := r.reference(plumbing.ReferenceName(name))
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read %s: %w", name, err)
	case ref.Type() != plumbing.HashReference:
		return "", false, fmt.Errorf("read %s: a symbolic reference", name)
	}
	return ref.Hash().String(), true, nil
}

// rejected reports a push refused because the remote branch moved.
func rejected(err error) bool {
	if errors.Is(err, git.ErrNonFastForwardUpdate) || errors.Is(err, git.ErrForceNeeded) {
		return true
	}
	// receive-pack reports a ref another push holds locked, or moved under
	// it, as "failed to update ref" / "cannot lock ref": the same race.
	msg := err.Error()
	for _, s := range []string{"non-fast-forward", "fetch first", "rejected", "failed to update ref", "cannot lock ref"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// rebaseBranch replays the commits of a branch that onto lacks onto onto,
// as git rebase would for a linear history, under the writer lock, and
// moves the branch there with a compare-and-swap. A branch onto already
// contains is fast-forwarded to it.
func (r *Repo) rebaseBranch(ctx context.Context, ref plumbing.ReferenceName, onto plumbing.Hash) error {
	unlock, err := r.lockWriters(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := r.reference(ref)
	if err != nil {
		return fmt.Errorf("read %s: %w", ref, err)
	}
	local, err := r.readCommit(cur.Hash())
	if err != nil {
		return err
	}
	remote, err := r.readCommit(onto)
	if err != nil {
		return fmt.Errorf("read remote head: %w", err)
	}
	todo, err := r.toReplay(local, remote)
	if err != nil {
		return err
	}
	w := &objectWriter{r: r}
	base := remote
	for _, c := range todo {
		if base, err = r.replay(w, c, base); err != nil {
			return err
		}
	}
	if err := w.sync(); err != nil {
		return err
	}
	who := Signature{Name: local.Committer.Name, Email: local.Committer.Email}
	u := refUpdate{branch: ref, old: local.Hash, new: base.Hash, who: who, when: time.Now(), noHeadLog: true,
		reason: "rebase (secretsctl push): onto " + onto.String()}
	return r.updateRef(ctx, u)
}

// toReplay lists, oldest first, the commits of local's first-parent chain
// that remote does not contain.
func (r *Repo) toReplay(local, remote *object.Commit) ([]*object.Commit, error) {
	r.mu.Lock()
	bases, err := local.MergeBase(remote)
	r.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("find merge base: %w", err)
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("rebase: %w: no common history", ErrDiverged)
	}
	stop := bases[0].Hash
	var out []*object.Commit
	for c := local; c.Hash != stop; {
		if len(c.ParentHashes) != 1 {
			return nil, fmt.Errorf("rebase: %w: local history has a merge (%s)", ErrDiverged, c.Hash)
		}
		out = append([]*object.Commit{c}, out...)
		p, err := r.readCommit(c.ParentHashes[0])
		if err != nil {
			return nil, err
		}
		c = p
	}
	return out, nil
}

// replay writes c's changes on top of base as a new commit with c's author
// and message.
func (r *Repo) replay(w *objectWriter, c *object.Commit, base *object.Commit) (*object.Commit, error) {
	parent, err := r.readCommit(c.ParentHashes[0])
	if err != nil {
		return nil, err
	}
	edits, err := r.treeEdits(parent.TreeHash, c.TreeHash)
	if err != nil {
		return nil, err
	}
	baseTree := r.treeAt(base.TreeHash)
	for _, e := range edits {
		if err := r.checkReplayable(parent.TreeHash, baseTree, e); err != nil {
			return nil, err
		}
	}
	changes, err := diff(baseTree, edits)
	if err != nil {
		return nil, err
	}
	root, err := (&treeBuilder{r: r, w: w}).buildRoot(base.TreeHash, changes)
	if err != nil {
		return nil, err
	}
	now := time.Now().Truncate(time.Second)
	committer := c.Committer
	committer.When = now
	co := &object.Commit{Author: c.Author, Committer: committer, Message: c.Message, TreeHash: root, ParentHashes: []plumbing.Hash{base.Hash}}
	o, err := r.encode(co)
	if err != nil {
		return nil, err
	}
	if co.Hash, err = w.write(o); err != nil {
		return nil, err
	}
	return co, nil
}

// checkReplayable refuses an edit of a path the remote side changed too.
func (r *Repo) checkReplayable(parentTree plumbing.Hash, base *Tree, e edit) error {
	before, okBefore, err := r.treeAt(parentTree).entry(e.path)
	if err != nil {
		return err
	}
	now, okNow, err := base.entry(e.path)
	if err != nil {
		return err
	}
	if okBefore != okNow || okBefore && before.Hash != now.Hash {
		return fmt.Errorf("rebase: %w: %s", ErrDiverged, e.path)
	}
	return nil
}

// treeEdits lists the file edits that turn tree a into tree b.
func (r *Repo) treeEdits(a, b plumbing.Hash) ([]edit, error) {
	var out []edit
	err := r.diffTrees(a, b, "", &out)
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, err
}

func (r *Repo) diffTrees(a, b plumbing.Hash, dir string, out *[]edit) error {
	if a == b {
		return nil
	}
	ea, err := r.entriesOf(a)
	if err != nil {
		return err
	}
	eb, err := r.entriesOf(b)
	if err != nil {
		return err
	}
	for name, x := range ea {
		if _, ok := eb[name]; !ok {
			if err := r.removed(x, join(dir, name), out); err != nil {
				return err
			}
		}
	}
	for name, y := range eb {
		x, had := ea[name]
		p := join(dir, name)
		switch {
		case had && x.Hash == y.Hash && x.Mode == y.Mode:
		case y.Mode == filemode.Dir:
			var from plumbing.Hash
			if had && x.Mode == filemode.Dir {
				from = x.Hash
			} else if had {
				*out = append(*out, edit{path: p, delete: true})
			}
			if err := r.diffTrees(from, y.Hash, p, out); err != nil {
				return err
			}
		default:
			if had && x.Mode == filemode.Dir {
				if err := r.removed(x, p, out); err != nil {
					return err
				}
			}
			data, err := r.readBlob(y.Hash)
			if err != nil {
				return err
			}
			*out = append(*out, edit{path: p, data: data})
		}
	}
	return nil
}

func (r *Repo) removed(e object.TreeEntry, p string, out *[]edit) error {
	if e.Mode != filemode.Dir {
		*out = append(*out, edit{path: p, delete: true})
		return nil
	}
	return r.diffTrees(e.Hash, plumbing.ZeroHash, p, out)
}

// entriesOf reads a tree's entries by name; the zero hash is empty.
func (r *Repo) entriesOf(h plumbing.Hash) (map[string]object.TreeEntry, error) {
	out := map[string]object.TreeEntry{}
	if h.IsZero() {
		return out, nil
	}
	entries, err := r.readTree(h)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		out[e.Name] = e
	}
	return out, nil
}

// backoff waits a random time up to a bound that doubles after each
// rejected attempt (50 ms, 100 ms, … at most 2 s: "full jitter"), so that
// writers racing for one remote spread out instead of colliding in
// lockstep.
func backoff(ctx context.Context, attempt int) error {
	bound := min(50*time.Millisecond<<min(attempt, 6), 2*time.Second)
	d := time.Duration(rand.Int64N(int64(bound))) + 10*time.Millisecond
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// FastForwardBranch moves a local branch (not HEAD's) to target when target
// contains it, or creates it at target, under the writer lock and with a
// compare-and-swap. A branch with commits target lacks is left as it is
// (moved=false): a push replays them.
func (r *Repo) FastForwardBranch(ctx context.Context, branch, target string) (moved bool, err error) {
	ref := plumbing.NewBranchReferenceName(branch)
	to, ok := parseHash(target)
	if !ok {
		return false, fmt.Errorf("fast-forward %s: invalid commit %q", branch, target)
	}
	unlock, err := r.lockWriters(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	if r.CurrentBranch() == branch {
		return false, fmt.Errorf("fast-forward %s: %w", branch, ErrBranchCheckedOut)
	}
	var old plumbing.Hash
	if cur, found, err := r.RefHash(ref.String()); err != nil {
		return false, err
	} else if found {
		old = plumbing.NewHash(cur)
	}
	if old == to {
		return false, nil
	}
	if !old.IsZero() {
		if contains, err := r.isAncestor(old, to); err != nil || !contains {
			return false, err
		}
	}
	u := refUpdate{branch: ref, old: old, new: to, who: Signature{Name: "secretsctl", Email: "secretsctl@localhost"},
		when: time.Now(), reason: "fetch: fast-forward", noHeadLog: true}
	return true, r.updateRef(ctx, u)
}

// isAncestor reports whether commit a is b or one of its ancestors.
func (r *Repo) isAncestor(a, b plumbing.Hash) (bool, error) {
	ca, err := r.readCommit(a)
	if err != nil {
		return false, err
	}
	cb, err := r.readCommit(b)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return ca.IsAncestor(cb)
}
