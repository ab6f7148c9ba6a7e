package cli

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

// sweepStages removes the stages in dir whose process is gone. Errors are
// ignored: a stage that cannot be removed now is tried again next time.
//
// dir may be shared (--out /tmp/out sweeps /tmp), so every step goes
// through an os.Root of dir and then of the stage itself, never through a
// path another user could swap for a symbolic link between two steps: only
// a real directory owned by this user is looked into, and only after
// checking that the directory opened is the one inspected.
func sweepStages(dir string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), stagePrefix) {
			sweepStage(root, e.Name())
		}
	}
}

// sweepStage removes the stage name of root when its process is gone. Its
// process makes the bundle directory only once it holds the lock, so a free
// lock with a bundle means a dead process; a stage without a bundle may be
// being created right now (a sweeper can even hold its lock for an instant,
// which createStage waits out), and is removed only once it is a minute old.
func sweepStage(root *os.Root, name string) {
	fi, err := root.Lstat(name)
	if err != nil || !fi.IsDir() || !ownedByMe(fi) {
		return // a symbolic link, a file, or another user's
	}
	st, err := root.OpenRoot(name)
	if err != nil {
		return
	}
	defer st.Close()
	if opened, err := st.Stat("."); err != nil || !os.SameFile(fi, opened) {
		return // swapped since the Lstat
	}
	unlock, ok := tryLockStage(st)
	if !ok {
		return // alive, or not ours to judge
	}
	defer unlock()
	if _, err := st.Lstat("bundle"); err != nil && time.Since(fi.ModTime()) < stageGrace {
		return
	}
	_ = st.RemoveAll("bundle")
	unlock()
	_ = root.RemoveAll(name)
}

// tryLockStage takes the lock of the stage st without waiting (and without
// creating the lock file); it reports false when another process holds it
// or it cannot be judged. A stage with no lock file counts as unlocked.
func tryLockStage(st *os.Root) (unlock func(), ok bool) {
	f, err := st.OpenFile("lock", os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return func() {}, true
	}
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, false
	}
	var once bool
	return func() {
		if !once {
			once = true
			_ = f.Close() // releases the lock
		}
	}, true
}

// ownedByMe reports whether fi belongs to the effective user.
func ownedByMe(fi fs.FileInfo) bool {
	sys, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Geteuid()
}
