package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// refUpdate moves a branch from old (zero: the branch must not exist) to new.
type refUpdate struct {
	branch   plumbing.ReferenceName
	old, new plumbing.Hash
	who      Signature
	when     time.Time
	reason   string // reflog message, e.g. "commit: subject"
	// noHeadLog leaves HEAD's reflog alone: the branch is not HEAD's.
	noHeadLog bool
}

// updateRef moves a branch with git's ref lock protocol: create
// refs/heads/NAME.lock exclusively, check the current value is the expected
// old one, write and fsync the new value, append to the reflogs, and rename
// the lock over the ref. The rename is atomic, so readers and a crash see
// either the old or the new commit, and git commands that update the same
// ref at the same time fail cleanly instead of losing an update.
//
// go-git's CheckAndSetReference is not used: it truncates and rewrites the
// ref file in place under flock(2), which git does not honour, and when the
// branch lives only in packed-refs it leaves an empty loose ref file behind
// if the check fails.
func (r *Repo) updateRef(ctx context.Context, u refUpdate) error {
	p := filepath.Join(r.commonDir, filepath.FromSlash(u.branch.String()))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("update %s: %w", u.branch, err)
	}
	lock, err := createLockFile(ctx, p)
	if err != nil {
		return fmt.Errorf("update %s: %w", u.branch, err)
	}
	defer lock.rollback()
	cur, err := r.reference(u.branch)
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		cur = nil
	case err != nil:
		return fmt.Errorf("update %s: %w", u.branch, err)
	}
	if (cur == nil) != u.old.IsZero() || (cur != nil && cur.Hash() != u.old) {
		return fmt.Errorf("update %s: %w", u.branch, ErrConcurrentUpdate)
	}
	if _, err := lock.f.WriteString(u.new.String() + "\n"); err != nil {
		return fmt.Errorf("update %s: %w", u.branch, err)
	}
	if r.logRefUpdates() {
		if err := r.appendReflogs(u); err != nil {
			return fmt.Errorf("update %s: %w", u.branch, err)
		}
	}
	if err := lock.commit(); err != nil {
		return fmt.Errorf("update %s: %w", u.branch, err)
	}
	return nil
}

// logRefUpdates reports whether reflogs are kept: core.logAllRefUpdates,
// which defaults to true in a repository with a work tree and to false in a
// bare one.
func (r *Repo) logRefUpdates() bool {
	r.mu.Lock()
	cfg, err := r.repo.Config()
	r.mu.Unlock()
	if err != nil {
		return true
	}
	v := strings.ToLower(cfg.Raw.Section("core").Option("logallrefupdates"))
	if v == "" {
		return !r.bare
	}
	return v != "false" && v != "no" && v != "off" && v != "0"
}

// appendReflogs records the update in the branch's reflog and in HEAD's, as
// git commit does.
func (r *Repo) appendReflogs(u refUpdate) error {
	line := fmt.Sprintf("%s %s %s <%s> %d %s\t%s\n", u.old, u.new, u.who.Name, u.who.Email,
		u.when.Unix(), u.when.Format("-0700"), oneLine(u.reason))
	logs := []string{filepath.Join(r.commonDir, "logs", filepath.FromSlash(u.branch.String()))}
	if !u.noHeadLog {
		logs = append(logs, filepath.Join(r.gitDir, "logs", "HEAD"))
	}
	for _, p := range logs {
		if err := appendFile(p, line); err != nil {
			return fmt.Errorf("append reflog: %w", err)
		}
	}
	return nil
}

// appendFile appends a line to a file, creating it and its directory.
func appendFile(p, line string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// oneLine flattens text for a reflog entry.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
