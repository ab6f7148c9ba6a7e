package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

const (
	// writerLockName is the file in the common git directory that serialises
	// secretsctl writers on one machine.
	writerLockName = "secretsctl.lock"
	// writerLockRetry is how often a waiting writer retries the lock.
	writerLockRetry = 10 * time.Millisecond
	// gitLockWait is how long to wait for a git lock file (index.lock,
	// refs/heads/NAME.lock) held by another program; git itself waits 0 ms
	// for the index and 100 ms for refs.
	gitLockWait = time.Second
	// gitLockRetry is how often a git lock file is retried.
	gitLockRetry = 5 * time.Millisecond
)

// lockWriters takes the machine-wide writer lock, waiting until ctx is done.
// It returns the function that releases it.
func (r *Repo) lockWriters(ctx context.Context) (unlock func(), err error) {
	p := filepath.Join(r.commonDir, writerLockName)
	fl := flock.New(p)
	ok, err := fl.TryLockContext(ctx, writerLockRetry)
	if err == nil && !ok {
		err = errors.New("not acquired")
	}
	if err != nil {
		_ = fl.Close()
		return nil, fmt.Errorf("wait for lock %s (another secretsctl is writing): %w", p, err)
	}
	return func() { _ = fl.Unlock() }, nil
}

// A lockFile is git's lock protocol for one file: the new content is written
// to NAME.lock, created exclusively, and renamed over NAME to commit it.
// While it exists no git command writes NAME.
//
// secretsctl creates NAME.lock as a hard link to NAME.secretsctl-PID.lock
// (link(2) is as exclusive as O_EXCL; git ignores names ending in .lock). The second name marks the lock as
// ours: a writer that finds NAME.lock while holding the machine-wide writer
// lock, and sees it is the same file as one of those names, knows that a
// secretsctl writer died holding it (a live one would hold the writer lock)
// and removes it, where git would ask the user to. A lock git made has no
// such twin and is never touched.
type lockFile struct {
	target string
	twin   string // NAME.secretsctl-PID.lock
	f      *os.File
}

// createLockFile creates target.lock, retrying for a short while if another
// program holds it, and honouring ctx. Callers hold the writer lock.
func createLockFile(ctx context.Context, target string) (*lockFile, error) {
	p := target + ".lock"
	twin := fmt.Sprintf("%s.secretsctl-%d.lock", target, os.Getpid())
	removeStaleLock(target)
	f, err := os.OpenFile(twin, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return nil, fmt.Errorf("create lock file: %w", err)
	}
	deadline := time.Now().Add(gitLockWait)
	for {
		err := os.Link(twin, p)
		if err == nil {
			return &lockFile{target: target, twin: twin, f: f}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			_ = f.Close()
			_ = os.Remove(twin)
			return nil, fmt.Errorf("create lock file: %w", err)
		}
		if time.Now().After(deadline) {
			_ = f.Close()
			_ = os.Remove(twin)
			return nil, fmt.Errorf("lock file %s exists: another git process seems to be running; if not, remove the file", p)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			_ = os.Remove(twin)
			return nil, fmt.Errorf("wait for lock file %s: %w", p, ctx.Err())
		case <-time.After(gitLockRetry):
		}
	}
}

// removeStaleLock removes target.lock when it is a lock a dead secretsctl
// writer left (it has a twin), and any twin left without it.
func removeStaleLock(target string) {
	p := target + ".lock"
	twins, _ := filepath.Glob(globEscape(target) + ".secretsctl-*.lock")
	if len(twins) == 0 {
		return
	}
	lock, lerr := os.Stat(p)
	for _, t := range twins {
		fi, err := os.Stat(t)
		if err != nil {
			continue
		}
		if lerr == nil && os.SameFile(lock, fi) {
			_ = os.Remove(p)
		}
		_ = os.Remove(t)
	}
}

// globEscape quotes the glob metacharacters of a path.
func globEscape(p string) string {
	var b strings.Builder
	for _, c := range p {
		if strings.ContainsRune(`*?[\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// commit flushes the lock file and renames it over the target.
func (l *lockFile) commit() error {
	if err := l.f.Sync(); err != nil {
		l.rollback()
		return fmt.Errorf("sync %s: %w", l.target+".lock", err)
	}
	if err := l.f.Close(); err != nil {
		l.f = nil
		_ = os.Remove(l.target + ".lock")
		_ = os.Remove(l.twin)
		return fmt.Errorf("close %s: %w", l.target+".lock", err)
	}
	l.f = nil
	if err := os.Rename(l.target+".lock", l.target); err != nil {
		_ = os.Remove(l.target + ".lock")
		_ = os.Remove(l.twin)
		return fmt.Errorf("rename %s: %w", l.target+".lock", err)
	}
	_ = os.Remove(l.twin)
	return nil
}

// rollback removes the lock file, leaving the target as it was. It does
// nothing after commit.
func (l *lockFile) rollback() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Close()
	_ = os.Remove(l.target + ".lock")
	_ = os.Remove(l.twin)
	l.f = nil
}
