package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
type lockFile struct {
	target string
	f      *os.File
}

// createLockFile creates target.lock, retrying for a short while if another
// program holds it, and honouring ctx.
func createLockFile(ctx context.Context, target string) (*lockFile, error) {
	p := target + ".lock"
	deadline := time.Now().Add(gitLockWait)
	for {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return &lockFile{target: target, f: f}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create lock file: %w", err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("lock file %s exists: another git process seems to be running; if not, remove the file", p)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for lock file %s: %w", p, ctx.Err())
		case <-time.After(gitLockRetry):
		}
	}
}

// commit flushes the lock file and renames it over the target.
func (l *lockFile) commit() error {
	if err := l.f.Sync(); err != nil {
		l.rollback()
		return fmt.Errorf("sync %s: %w", l.f.Name(), err)
	}
	if err := l.f.Close(); err != nil {
		l.rollback()
		return fmt.Errorf("close %s: %w", l.f.Name(), err)
	}
	if err := os.Rename(l.f.Name(), l.target); err != nil {
		l.rollback()
		return fmt.Errorf("rename %s: %w", l.f.Name(), err)
	}
	l.f = nil
	return nil
}

// rollback removes the lock file, leaving the target as it was. It does
// nothing after commit.
func (l *lockFile) rollback() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Close()
	_ = os.Remove(l.f.Name())
	l.f = nil
}
