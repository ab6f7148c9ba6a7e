package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stages lists the stage directories in dir.
func stages(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, stagePrefix+"*"))
	require.NoError(t, err)
	return m
}

func writeStaged(t *testing.T, s *stage, files map[string]string) []string {
	t.Helper()
	var names []string
	for name, content := range files {
		p := filepath.Join(s.dir(), filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		names = append(names, name)
	}
	return names
}

// TestStagePublish: the stage is a 0700 directory next to --out; publish
// moves the files into --out (created 0700), replacing what was there, and
// remove leaves nothing of the stage.
func TestStagePublish(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "bundle")
	require.NoError(t, os.MkdirAll(out, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, ".env"), []byte("OLD=1\n"), 0o600))
	s, err := newStage(out)
	require.NoError(t, err)
	require.Len(t, stages(t, parent), 1)
	fi, err := os.Stat(stages(t, parent)[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	names := writeStaged(t, s, map[string]string{".env": "NEW=2\n", "config/app.json": "{}"})
	require.NoError(t, s.publish(names))
	s.remove()
	assert.Empty(t, stages(t, parent))
	b, err := os.ReadFile(filepath.Join(out, ".env"))
	require.NoError(t, err)
	assert.Equal(t, "NEW=2\n", string(b))
	assert.FileExists(t, filepath.Join(out, "config", "app.json"))
}

// TestStageSymlinkedOut: a --out that is a symbolic link gets its stage
// next to the directory it points to (the same filesystem).
func TestStageSymlinkedOut(t *testing.T) {
	real, links := t.TempDir(), t.TempDir()
	target := filepath.Join(real, "bundle")
	require.NoError(t, os.Mkdir(target, 0o700))
	out := filepath.Join(links, "bundle")
	require.NoError(t, os.Symlink(target, out))
	s, err := newStage(out)
	require.NoError(t, err)
	defer s.remove()
	assert.Len(t, stages(t, real), 1)
	assert.Empty(t, stages(t, links))
	require.NoError(t, s.publish(writeStaged(t, s, map[string]string{".env": "A=1\n"})))
	assert.FileExists(t, filepath.Join(target, ".env"))
}

// TestStageInsideOut: when the directory above --out cannot be written, the
// stage lives inside --out and publish still moves the files into place.
func TestStageInsideOut(t *testing.T) {
	out := t.TempDir()
	s, err := createStage(out, ".")
	require.NoError(t, err)
	require.NoError(t, s.publish(writeStaged(t, s, map[string]string{".env": "A=1\n"})))
	s.remove()
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, ".env", entries[0].Name())
}

// TestSweepStages: a stage whose lock is held (a live issue) is left alone,
// one whose lock is free (a killed issue) is removed with its values, and
// one without a bundle yet (no lock file, or one not locked yet) is removed
// only once it is older than a minute.
func TestSweepStages(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "bundle")
	live, err := newStage(out)
	require.NoError(t, err)
	defer live.remove()
	writeStaged(t, live, map[string]string{".env": "LIVE=1\n"})

	dead := filepath.Join(parent, stagePrefix+"dead")
	require.NoError(t, os.MkdirAll(filepath.Join(dead, "bundle"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dead, "lock"), nil, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dead, "bundle", ".env"), []byte("DEAD=1\n"), 0o600))
	young := filepath.Join(parent, stagePrefix+"young")
	old := filepath.Join(parent, stagePrefix+"old")
	creating := filepath.Join(parent, stagePrefix+"creating") // lock file made, not yet locked
	for _, d := range []string{young, old, creating} {
		require.NoError(t, os.Mkdir(d, 0o700))
	}
	require.NoError(t, os.WriteFile(filepath.Join(creating, "lock"), nil, 0o600))
	ago := time.Now().Add(-2 * stageGrace)
	require.NoError(t, os.Chtimes(old, ago, ago))
	other := filepath.Join(parent, "not-a-stage")
	require.NoError(t, os.Mkdir(other, 0o700))

	next, err := newStage(out)
	require.NoError(t, err)
	next.remove()
	left := stages(t, parent)
	assert.NoDirExists(t, dead)
	assert.NoDirExists(t, old)
	assert.DirExists(t, young)
	assert.DirExists(t, creating)
	assert.DirExists(t, other)
	assert.FileExists(t, filepath.Join(live.dir(), ".env"), "a live stage is never swept")
	assert.Len(t, left, 3, "%s", strings.Join(left, ", "))
}

// TestStagePublishAcross: the path publish takes when --out is a mount
// point (the rename from the stage next to it fails with EXDEV) copies the
// files through a second stage inside --out and leaves neither stage.
func TestStagePublishAcross(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "bundle")
	require.NoError(t, os.Mkdir(out, 0o700))
	s, err := newStage(out)
	require.NoError(t, err)
	names := writeStaged(t, s, map[string]string{".env": "A=1\n", "sub/key.pem": "PEM"})
	require.NoError(t, os.Chmod(filepath.Join(s.dir(), ".env"), 0o640))
	require.NoError(t, s.publishAcross(out, names))
	s.remove()
	assert.Empty(t, stages(t, parent))
	assert.Empty(t, stages(t, out))
	fi, err := os.Stat(filepath.Join(out, ".env"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), fi.Mode().Perm())
	b, err := os.ReadFile(filepath.Join(out, "sub", "key.pem"))
	require.NoError(t, err)
	assert.Equal(t, "PEM", string(b))
}

// TestSweepStagesSymlink: in a shared directory another user can plant a
// stage-named symbolic link to a directory of the victim holding a bundle
// (outside the directory swept, or inside it), or swap a stage directory
// for one after the sweep listed it; the sweep follows neither and removes
// nothing they point to.
func TestSweepStagesSymlink(t *testing.T) {
	parent, elsewhere := t.TempDir(), t.TempDir()
	inside := filepath.Join(parent, "victim")
	ago := time.Now().Add(-2 * stageGrace)
	for _, victim := range []string{elsewhere, inside} {
		require.NoError(t, os.MkdirAll(filepath.Join(victim, "bundle"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(victim, "lock"), nil, 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(victim, "bundle", "keep"), []byte("x"), 0o600))
		require.NoError(t, os.Chtimes(victim, ago, ago))
	}
	require.NoError(t, os.Symlink(elsewhere, filepath.Join(parent, stagePrefix+"out")))
	require.NoError(t, os.Symlink(inside, filepath.Join(parent, stagePrefix+"in")))

	s, err := newStage(filepath.Join(parent, "bundle"))
	require.NoError(t, err)
	s.remove()
	// The swap after the listing: sweepStage is handed the name of what
	// was a directory and is now a link.
	root, err := os.OpenRoot(parent)
	require.NoError(t, err)
	defer root.Close()
	sweepStage(root, stagePrefix+"out")
	sweepStage(root, stagePrefix+"in")
	for _, victim := range []string{elsewhere, inside} {
		assert.FileExists(t, filepath.Join(victim, "bundle", "keep"), "the sweep followed a symbolic link to %s", victim)
		assert.FileExists(t, filepath.Join(victim, "lock"))
	}
}

// TestSweepStagesOtherUser: a dead stage that belongs to another user is
// not ours to remove (it may also be bait).
func TestSweepStagesOtherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	parent := t.TempDir()
	theirs := filepath.Join(parent, stagePrefix+"theirs")
	require.NoError(t, os.MkdirAll(filepath.Join(theirs, "bundle"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(theirs, "lock"), nil, 0o600))
	require.NoError(t, os.Lchown(theirs, 65534, 65534))

	s, err := newStage(filepath.Join(parent, "bundle"))
	require.NoError(t, err)
	s.remove()
	assert.DirExists(t, filepath.Join(theirs, "bundle"))
}
