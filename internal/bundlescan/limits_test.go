package bundlescan

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testSecret = []Secret{{ID: "r/K", Value: []byte("a-test-value-123")}}

// scanBytes scans one file holding data, with temp files confined to a
// fresh directory the test checks is left empty.
func scanBytes(t *testing.T, name string, data []byte, opts Options) (*Report, error) {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	opts.TempDir = t.TempDir()
	rep, err := Scan(context.Background(), p, testSecret, opts)
	left, _ := os.ReadDir(opts.TempDir)
	assert.Empty(t, left, "temporary files removed")
	after, _ := os.ReadDir(dir)
	assert.Len(t, after, 1, "nothing extracted beside the bundle")
	return rep, err
}

func archiveErr(t *testing.T, err error) *ArchiveError {
	t.Helper()
	var ae *ArchiveError
	require.True(t, errors.As(err, &ae), "want an *ArchiveError, got %v", err)
	return ae
}

// TestZipBomb: an entry of 64 MiB of zeros deflates about 1,000 to 1 and
// is refused by the ratio limit, long before it is read whole.
func TestZipBomb(t *testing.T) {
	bomb := zipBytes(t, map[string][]byte{"zeros.bin": make([]byte, 64<<20)}, zip.Deflate)
	_, err := scanBytes(t, "bomb.zip", bomb, Options{})
	ae := archiveErr(t, err)
	assert.Equal(t, "bomb.zip!/zeros.bin", ae.File)
	assert.Contains(t, err.Error(), "zip bomb")

	// The same bomb nested in a tar.gz, and the total size limit.
	nested := gzipBytes(t, tarBytes(t, map[string][]byte{"inner/bomb.zip": bomb}))
	_, err = scanBytes(t, "bundle.tgz", nested, Options{})
	assert.Equal(t, "bundle.tgz!/inner/bomb.zip!/zeros.bin", archiveErr(t, err).File)
	_, err = scanBytes(t, "bundle.tgz", nested, Options{Limits: Limits{MaxExpanded: 1 << 20}})
	assert.Contains(t, archiveErr(t, err).Error(), "limit --max-expanded")
}

func TestPathTraversalRefused(t *testing.T) {
	for _, tc := range []struct{ name, entry string }{
		{"evil.tar", "../../etc/cron.d/x"},
		{"evil.tar", "/etc/passwd"},
		{"evil.zip", "a/../../x"},
		{"evil.zip", `..\..\windows\x`},
		{"evil.asar", "../x"},
	} {
		t.Run(tc.name+" "+tc.entry, func(t *testing.T) {
			files := map[string][]byte{"ok.txt": []byte("fine"), tc.entry: []byte("payload")}
			var data []byte
			switch filepath.Ext(tc.name) {
			case ".tar":
				data = tarBytes(t, files)
			case ".zip":
				data = zipBytes(t, files, zip.Deflate)
			default:
				data = asarBytes(t, files)
			}
			_, err := scanBytes(t, tc.name, data, Options{})
			ae := archiveErr(t, err)
			assert.Contains(t, ae.Error(), "leaves the archive")
			assert.Contains(t, ae.File, tc.name+"!/")
		})
	}
}

func TestDepthAndEntryLimits(t *testing.T) {
	data := []byte("a-test-value-123")
	for range 4 {
		data = zipBytes(t, map[string][]byte{"in.zip": data}, zip.Store)
	}
	rep, err := scanBytes(t, "deep.zip", data, Options{})
	require.NoError(t, err)
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, "deep.zip!/in.zip!/in.zip!/in.zip!/in.zip", rep.Findings[0].File)
	_, err = scanBytes(t, "deep.zip", data, Options{Limits: Limits{MaxDepth: 3}})
	assert.Contains(t, archiveErr(t, err).Error(), "nest more than 3 deep")

	many := map[string][]byte{}
	for i := range 50 {
		many[string(rune('a'+i%26))+string(rune('a'+i/26))] = nil
	}
	_, err = scanBytes(t, "many.tar", tarBytes(t, many), Options{Limits: Limits{MaxEntries: 10}})
	assert.Contains(t, archiveErr(t, err).Error(), "more than 10 archive entries")
}

func TestMalformedArchives(t *testing.T) {
	gz := gzipBytes(t, bytes.Repeat([]byte("x"), 100000))
	_, err := scanBytes(t, "cut.gz", gz[:len(gz)/2], Options{})
	assert.Contains(t, archiveErr(t, err).Error(), "gzip")

	tb := tarBytes(t, map[string][]byte{"a.txt": bytes.Repeat([]byte("y"), 5000)})
	_, err = scanBytes(t, "cut.tar", tb[:1024], Options{})
	assert.Contains(t, archiveErr(t, err).Error(), "tar")

	zb := zipBytes(t, map[string][]byte{"a.txt": []byte("z")}, zip.Deflate)
	zb[len(zb)-10] ^= 0xff // the central directory's offset
	_, err = scanBytes(t, "bad.zip", zb, Options{})
	assert.Contains(t, archiveErr(t, err).Error(), "zip")
}

// TestLargeNestedZipSpooled: a nested zip over 8 MiB goes through a
// temporary file, which is removed.
func TestLargeNestedZipSpooled(t *testing.T) {
	big := filler(12 << 20)
	copy(big[10<<20:], "a-test-value-123")
	inner := zipBytes(t, map[string][]byte{"big.txt": big}, zip.Store)
	rep, err := scanBytes(t, "outer.tar", tarBytes(t, map[string][]byte{"inner.zip": inner}), Options{})
	require.NoError(t, err)
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, Finding{Rule: RuleValue, File: "outer.tar!/inner.zip!/big.txt", Offset: 10 << 20, Secret: "r/K", Encoding: Raw}, rep.Findings[0])
}

// TestMemoryFlat is the proportional check of acceptance 2: scanning ten
// times more data (plain and inside a tar) allocates about the same. The
// 1 GB run with peak RSS is in scripts/bench-verify.sh.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 176 MiB")
	}
	alloc := func(size int) uint64 {
		dir := t.TempDir()
		chunk := filler(4 << 20)
		f, err := os.Create(filepath.Join(dir, "big.bin"))
		require.NoError(t, err)
		tf, err := os.Create(filepath.Join(dir, "big.tar"))
		require.NoError(t, err)
		tw := tar.NewWriter(tf)
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: "x.bin", Mode: 0o644, Size: int64(size), Typeflag: tar.TypeReg}))
		for n := 0; n < size; n += len(chunk) {
			_, err = f.Write(chunk)
			require.NoError(t, err)
			_, err = tw.Write(chunk)
			require.NoError(t, err)
		}
		require.NoError(t, tw.Close())
		require.NoError(t, tf.Close())
		require.NoError(t, f.Close())
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err = Scan(context.Background(), dir, benchSecrets(50), Options{})
		require.NoError(t, err)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(8<<20), alloc(80<<20)
	t.Logf("allocated %d bytes scanning 16 MiB, %d scanning 160 MiB", small, large)
	assert.Less(t, large, uint64(16<<20), "a scan allocates a few buffers, not the data")
	assert.Less(t, large, 2*small+(4<<20), "allocation does not grow with the bundle")
}

// TestSecretRedacted: a Secret never prints or encodes its value.
func TestSecretRedacted(t *testing.T) {
	s := Secret{ID: "r/K", Value: []byte("canary-7f3a9c-value")}
	for _, out := range []string{fmtAll(s), mustJSON(t, s), mustJSON(t, []Secret{s})} {
		assert.NotContains(t, out, "canary")
		assert.Contains(t, out, "r/K")
	}
}
