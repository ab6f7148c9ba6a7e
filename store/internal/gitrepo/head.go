package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// fileStamp identifies one version of a file without reading it. git
// updates refs by renaming a lock file over them, so a moved ref always has
// a new inode.
type fileStamp struct {
	ino   uint64
	size  int64
	mtime int64
}

func stamp(p string) fileStamp {
	fi, err := os.Stat(p)
	if err != nil {
		return fileStamp{}
	}
	s := fileStamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino = uint64(st.Ino)
	}
	return s
}

// headCache remembers what HEAD resolved to and the files that decided it.
type headCache struct {
	mu     sync.Mutex
	branch string // refs/heads/NAME HEAD pointed to, "" when detached
	key    [3]fileStamp
	commit Commit
	ok     bool
	// checked is when the files were last compared; within headRecheck of
	// it the cached commit is returned without any system call.
	checked time.Time
}

// headRecheck bounds how stale [Repo.Head] may be: a commit is seen by a
// call made more than this long after it.
const headRecheck = 10 * time.Millisecond

// Head resolves HEAD like Resolve("HEAD"), but answers from memory while
// HEAD, its branch's loose ref and packed-refs are the same files as last
// time: three stat(2) calls instead of reading refs and the commit, and
// none at all within [headRecheck] of the last comparison. A server that
// resolves HEAD on every request uses it.
func (r *Repo) Head() (Commit, error) {
	r.hc.mu.Lock()
	if r.hc.ok && time.Since(r.hc.checked) < headRecheck {
		c := r.hc.commit
		r.hc.mu.Unlock()
		return c, nil
	}
	branch := r.hc.branch
	r.hc.mu.Unlock()
	now := time.Now()
	key := r.headKey(branch)
	r.hc.mu.Lock()
	if r.hc.ok && r.hc.key == key && r.hc.branch == branch {
		c := r.hc.commit
		r.hc.checked = now
		r.hc.mu.Unlock()
		return c, nil
	}
	r.hc.mu.Unlock()
	c, err := r.Resolve("HEAD")
	if err != nil {
		return Commit{}, err
	}
	name := ""
	if ref, err := r.reference(plumbing.HEAD); err == nil && ref.Type() == plumbing.SymbolicReference {
		name = ref.Target().String()
	}
	if name != branch {
		// HEAD moved to another branch: stamp that branch next time.
		key = r.headKey(name)
	}
	r.hc.mu.Lock()
	r.hc.branch, r.hc.key, r.hc.commit, r.hc.ok, r.hc.checked = name, key, c, true, now
	r.hc.mu.Unlock()
	return c, nil
}

func (r *Repo) headKey(branch string) [3]fileStamp {
	var k [3]fileStamp
	k[0] = stamp(filepath.Join(r.gitDir, "HEAD"))
	if branch != "" {
		k[1] = stamp(filepath.Join(r.commonDir, filepath.FromSlash(branch)))
	}
	k[2] = stamp(filepath.Join(r.commonDir, "packed-refs"))
	return k
}

// Ref is a branch or tag and the commit it names.
type Ref struct {
	// Name is the short name: "main", "v1.0.0".
	Name string
	// Commit is the full hash of the commit (annotated tags are peeled).
	Commit string
}

// Refs lists the local branches and the tags, each sorted by name. Tags
// that do not name a commit are left out.
func (r *Repo) Refs() (branches, tags []Ref, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	iter, err := r.repo.Storer.IterReferences()
	if err != nil {
		return nil, nil, fmt.Errorf("list references: %w", err)
	}
	defer iter.Close()
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() != plumbing.HashReference {
			return nil
		}
		switch {
		case ref.Name().IsBranch():
			branches = append(branches, Ref{Name: ref.Name().Short(), Commit: ref.Hash().String()})
		case ref.Name().IsTag():
			if h, ok := r.peelLocked(ref.Hash()); ok {
				tags = append(tags, Ref{Name: strings.TrimPrefix(ref.Name().String(), "refs/tags/"), Commit: h.String()})
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list references: %w", err)
	}
	byName := func(refs []Ref) {
		sort.Slice(refs, func(i, j int) bool { return refs[i].Name < refs[j].Name })
	}
	byName(branches)
	byName(tags)
	return branches, tags, nil
}

// peelLocked follows annotated tags to the commit they name. The caller
// holds r.mu.
func (r *Repo) peelLocked(h plumbing.Hash) (plumbing.Hash, bool) {
	for range 8 {
		o, err := r.objectLocked(plumbing.AnyObject, h)
		if err != nil {
			return plumbing.ZeroHash, false
		}
		switch o.Type() {
		case plumbing.CommitObject:
			return h, true
		case plumbing.TagObject:
			t, err := object.DecodeTag(r.repo.Storer, o)
			if err != nil {
				return plumbing.ZeroHash, false
			}
			h = t.Target
		default:
			return plumbing.ZeroHash, false
		}
	}
	return plumbing.ZeroHash, false
}

// CurrentBranch returns the short name of the branch HEAD points to, or ""
// when HEAD is detached.
func (r *Repo) CurrentBranch() string {
	ref, err := r.reference(plumbing.HEAD)
	if err != nil || ref.Type() != plumbing.SymbolicReference {
		return ""
	}
	return ref.Target().Short()
}

var errNotFastForward = errors.New("not a fast-forward")
