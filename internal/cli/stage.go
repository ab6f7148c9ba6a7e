package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"github.com/secretsctl/secretsctl/internal/ledger"
)

// A stage is the private directory issue and render write a bundle into
// before it may appear in --out: issue commits the bundle's event first, so
// a file in --out always holds values the ledger records (SPEC §6).
//
// The stage is a directory named .secretsctl-stage-* created with mode 0700
// next to --out (on its filesystem, so moving a file into place is one
// atomic rename), or inside --out when the directory above --out is not
// writable. It holds a file "lock", locked for as long as its process
// lives, and the bundle under "bundle". A stage whose lock is free belongs
// to a process that died (a SIGKILL, a power cut): the next issue or render
// next to the same --out removes it (see sweepStages), with the values in
// it, which no event records when issue was the one that died.
type stage struct {
	root *os.Root // the directory holding both the stage and --out
	name string   // the stage, relative to root
	dest string   // --out, relative to root
	lock *flock.Flock
}

const (
	stagePrefix = ".secretsctl-stage-"
	// stageGrace is how long a stage without its lock file is left alone:
	// its process may be between creating the directory and the lock.
	stageGrace = time.Minute
)

// newStage removes the stages dead processes left next to out and creates
// one for this process.
func newStage(out string) (*stage, error) {
	out = realPath(out)
	if fi, err := os.Stat(out); err == nil && !fi.IsDir() {
		return nil, usagef("--out %s is not a directory", out)
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("create the directory of --out %s: %w", out, err)
	}
	sweepStages(parent)
	sweepStages(out)
	s, err := createStage(parent, filepath.Base(out))
	if errors.Is(err, fs.ErrPermission) {
		if s, err = createStage(out, "."); err == nil {
			return s, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create a private directory for --out %s: %w", out, err)
	}
	return s, nil
}

// realPath resolves the symbolic links of out (or, while it does not exist,
// of its directory), so that the stage is on out's filesystem. outDir
// checks this same path against the store's work tree.
func realPath(out string) string {
	if r, err := filepath.EvalSymlinks(out); err == nil {
		return r
	}
	if r, err := filepath.EvalSymlinks(filepath.Dir(out)); err == nil {
		return filepath.Join(r, filepath.Base(out))
	}
	return out
}

// createStage makes a locked stage in dir for the destination dest
// (relative to dir).
func createStage(dir, dest string) (*stage, error) {
	abs, err := os.MkdirTemp(dir, stagePrefix+"*")
	if err != nil {
		return nil, err
	}
	lock := flock.New(filepath.Join(abs, "lock"), flock.SetPermissions(0o600))
	// Blocking: only a sweeper looking at the new stage can hold it, briefly.
	err = lock.Lock()
	if err == nil {
		err = os.Mkdir(filepath.Join(abs, "bundle"), 0o700)
	}
	var root *os.Root
	if err == nil {
		root, err = os.OpenRoot(dir)
	}
	if err != nil {
		_ = lock.Close()
		_ = os.RemoveAll(abs)
		return nil, err
	}
	return &stage{root: root, name: filepath.Base(abs), dest: dest, lock: lock}, nil
}

// dir is where the bundle is to be written.
func (s *stage) dir() string {
	return filepath.Join(s.root.Name(), s.name, "bundle")
}

// publish moves the bundle's files (slash-separated, relative) into --out,
// one rename each, replacing files of the same name. It never writes a file
// of its own in --out.
func (s *stage) publish(files []string) error {
	if err := s.root.MkdirAll(s.dest, 0o700); err != nil {
		return fmt.Errorf("create --out: %w", err)
	}
	for _, f := range files {
		to := path.Join(filepath.ToSlash(s.dest), f)
		if d := path.Dir(to); d != "." {
			if err := s.root.MkdirAll(d, 0o700); err != nil {
				return fmt.Errorf("write %s: %w", f, err)
			}
		}
		if err := s.root.Rename(path.Join(s.name, "bundle", f), to); err != nil {
			return fmt.Errorf("move %s into --out: %w", f, err)
		}
	}
	return nil
}

// publishAcross is publish for an --out that is a mount point, where the
// stage next to it is on another filesystem: the files are copied into a
// second stage inside out, then renamed into place from there.
func (s *stage) publishAcross(out string, files []string) error {
	in, err := createStage(realPath(out), ".")
	if err != nil {
		return fmt.Errorf("create a private directory in --out: %w", err)
	}
	defer in.remove()
	for _, f := range files {
		if err := s.copyTo(in, f); err != nil {
			return fmt.Errorf("copy %s into --out: %w", f, err)
		}
	}
	return in.publish(files)
}

// copyTo copies the bundle file f of s into the bundle of to, mode and all.
func (s *stage) copyTo(to *stage, f string) error {
	from := path.Join(s.name, "bundle", f)
	fi, err := s.root.Stat(from)
	if err != nil {
		return err
	}
	data, err := s.root.ReadFile(from)
	if err != nil {
		return err
	}
	dst := path.Join(to.name, "bundle", f)
	if err := to.root.MkdirAll(path.Dir(dst), 0o700); err != nil {
		return err
	}
	if err := to.root.WriteFile(dst, data, 0o600); err != nil {
		return err
	}
	return to.root.Chmod(dst, fi.Mode().Perm()) // as it was, whatever the umask
}

// remove deletes the stage with what is left in it.
func (s *stage) remove() {
	_ = s.root.RemoveAll(path.Join(s.name, "bundle")) // while still locked
	_ = s.lock.Close()
	_ = s.root.RemoveAll(s.name)
	_ = s.root.Close()
}

// staged runs write on a new stage for out and, when it succeeds, moves the
// files it wrote into out. A failed write leaves out as it was; a failed
// move names what was done already (done) and how to finish (retry).
//
// SIGINT, SIGTERM and SIGHUP cancel the context write gets instead of
// killing the process: write stops, nothing reaches out and the stage is
// removed with the values in it before the command exits 1, as an
// interrupted edit does.
func staged(ctx context.Context, out, done, retry string, write func(ctx context.Context, dir string) (*ledger.Result, error)) (*ledger.Result, error) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop() // after s.remove: a signal while removing is still caught
	s, err := newStage(out)
	if err != nil {
		return nil, err
	}
	defer s.remove()
	res, err := write(ctx, s.dir())
	if ctx.Err() != nil {
		return nil, interrupted(out, done, retry, res)
	}
	if err != nil {
		return nil, err
	}
	err = s.publish(res.Files)
	if errors.Is(err, syscall.EXDEV) {
		err = s.publishAcross(out, res.Files)
	}
	if err != nil {
		return nil, fmt.Errorf("%s, but writing the bundle to %s failed: %w; %s", done, out, err, retry)
	}
	return res, nil
}

// interrupted is the error of a staged command stopped by a signal before
// it wrote anything to out; res says whether its event was committed.
func interrupted(out, done, retry string, res *ledger.Result) error {
	if res != nil && res.Committed {
		return fmt.Errorf("interrupted: %s, but nothing was written to %s; %s", done, out, retry)
	}
	return fmt.Errorf("interrupted: nothing was recorded or written to %s", out)
}
