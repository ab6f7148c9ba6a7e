package hooks

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

var escapingPaths = []string{"/etc/passwd", "../outside", "a/../../outside", "a/../b", "./a", `a\..\b`, "", "a//b"}

func TestValidateTargetRejectsEscapingPaths(t *testing.T) {
	for _, p := range escapingPaths {
		for _, tt := range []store.Target{
			{Type: "file", Path: p},
			{Type: "config", Path: p, Format: "json", Key: "k"},
		} {
			err := ValidateTarget(tt)
			var te *TargetError
			require.ErrorAs(t, err, &te, "%s %q", tt.Type, p)
			assert.Equal(t, "path", te.Field)
		}
	}
	for _, p := range escapingPaths[:5] {
		assert.Error(t, ValidateTarget(store.Target{Type: "env", Name: "K", Path: p}), p)
	}
	assert.NoError(t, ValidateTarget(store.Target{Type: "file", Path: "a/b..c/d"}), ".. inside a name is fine")
}

func TestValidateTarget(t *testing.T) {
	for _, tc := range []struct {
		target store.Target
		field  string
	}{
		{store.Target{Type: "env", Name: "1BAD"}, "name"},
		{store.Target{Type: "file", Path: "k", Mode: "0999"}, "mode"},
		{store.Target{Type: "file", Path: "k", Template: "{{ .X"}, "template"},
		{store.Target{Type: "config", Path: "c", Format: "ini", Key: "k"}, "format"},
		{store.Target{Type: "config", Path: "c", Format: "json", Key: "a..b"}, "key"},
		{store.Target{Type: "config", Path: "c", Format: "dotenv", Key: "a.b"}, "key"},
		{store.Target{Type: "socket"}, "type"},
	} {
		var te *TargetError
		require.ErrorAs(t, ValidateTarget(tc.target), &te, "%+v", tc.target)
		assert.Equal(t, tc.field, te.Field)
	}
}

func TestCreateBundleRejectsEscapingTarget(t *testing.T) {
	m := &store.Manifest{Secrets: []store.ManifestSecret{
		bundled("a/K", store.Generator{Type: "hex"}, store.Target{Type: "file", Path: "../k"})}}
	_, err := CreateBundle(m, "d", nil, Options{})
	assert.ErrorContains(t, err, `a/K: target file: path: "../k" must be a relative path`)
}

// TestWriteDirRefusesSymlinkEscape plants symbolic links in the output
// directory that lead outside it: writing through them fails and nothing
// lands outside.
func TestWriteDirRefusesSymlinkEscape(t *testing.T) {
	outside := t.TempDir()
	for _, tc := range []struct{ link, file string }{
		{"conf", "conf/app.json"},      // a directory link
		{"sub/deeper", "sub/deeper/k"}, // a nested one
	} {
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(tc.link)), 0o700))
		require.NoError(t, os.Symlink(outside, filepath.Join(dir, tc.link)))
		b := &Bundle{Files: []File{{Path: tc.file, Mode: 0o600, content: []byte("x")}}}
		err := b.WriteDir(dir)
		assert.ErrorContains(t, err, "write bundle file "+tc.file)
		entries, err := os.ReadDir(outside)
		require.NoError(t, err)
		assert.Empty(t, entries, "nothing written outside")
	}
	// A bundle built by hand with a bad path is refused too.
	b := &Bundle{Files: []File{{Path: "../k", Mode: 0o600, content: []byte("x")}}}
	assert.ErrorContains(t, b.WriteDir(t.TempDir()), "path leaves the output directory")
}

// TestWriteDirReplacesFileSymlink shows a file that is a symbolic link to
// somewhere outside is replaced, not written through.
func TestWriteDirReplacesFileSymlink(t *testing.T) {
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(victim, []byte("keep"), 0o600))
	dir := t.TempDir()
	require.NoError(t, os.Symlink(victim, filepath.Join(dir, "k")))
	b := &Bundle{Files: []File{{Path: "k", Mode: 0o600, content: []byte("new")}}}
	require.NoError(t, b.WriteDir(dir))
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep", string(got))
	info, err := os.Lstat(filepath.Join(dir, "k"))
	require.NoError(t, err)
	assert.True(t, info.Mode().IsRegular())
}
