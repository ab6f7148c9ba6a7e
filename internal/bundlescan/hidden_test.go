package bundlescan

import (
	"archive/zip"
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/bundlescan/bundletest"
)

// test that a value planted in a container's own bytes (issue 17: after a
// tar's end, after a .tar.gz, in a second gzip member, in gzip header
// fields, in a zip's comment, extra field or entry name, in a zip local
// entry missing from the central directory, in a tar PAX header or symlink
// target, in asar bytes the index does not reference) is found, and the
// finding names the place without holding the value.
func TestHiddenPlacesFound(t *testing.T) {
	value := testSecret[0].Value
	for _, h := range bundletest.HiddenPlaces(t, value) {
		t.Run(h.Case, func(t *testing.T) {
			rep, err := scanBytes(t, h.File, h.Data, Options{})
			require.NoError(t, err)
			var places []string
			for _, f := range rep.Findings {
				places = append(places, f.File)
				assert.True(t, strings.HasPrefix(f.File, h.File+"!"), "finding in the container: %s", f.File)
				assert.NotContains(t, f.File, string(value), "a finding never holds the value")
				assert.Equal(t, Raw, f.Encoding)
			}
			if h.Place == "" {
				assert.Empty(t, rep.Findings, "a clean archive")
				return
			}
			assert.Contains(t, places, h.Place)
		})
	}
}

// test that a value in a file's content is reported once, by the entry,
// not again by the container's raw bytes (stored zip, tar, asar, gzip).
func TestContentNotReportedTwice(t *testing.T) {
	files := map[string][]byte{"a.txt": append(filler(100), "a-test-value-123"...), "b.txt": filler(5000)}
	for name, data := range map[string][]byte{
		"s.zip":  zipBytes(t, files, zip.Store),
		"d.zip":  zipBytes(t, files, zip.Deflate),
		"t.tar":  tarBytes(t, files),
		"t.tgz":  gzipBytes(t, tarBytes(t, files)),
		"a.asar": asarBytes(t, files),
	} {
		rep, err := scanBytes(t, name, data, Options{})
		require.NoError(t, err)
		require.Len(t, rep.Findings, 1, name)
		assert.Equal(t, name+"!/a.txt", rep.Findings[0].File)
		assert.Equal(t, int64(100), rep.Findings[0].Offset)
	}
}

// test that a gzip stream whose CRC-32 and size trailer is zeroed is
// refused: every member is decompressed to its end and checked.
func TestGzipChecksumChecked(t *testing.T) {
	for _, name := range []string{"data.gz", "bundle.tgz"} {
		gz := gzipBytes(t, tarBytes(t, map[string][]byte{"a.txt": filler(3000)}))
		copy(gz[len(gz)-8:], make([]byte, 8))
		_, err := scanBytes(t, name, gz, Options{})
		ae := archiveErr(t, err)
		assert.Contains(t, ae.Error(), "checksum")
		assert.Equal(t, name, ae.File)
	}
}

// test that a zip whose 100 entries share one deflate stream (a 100 x 64
// MiB bomb), or whose entry runs into the central directory, is refused as
// a zip bomb before anything is decompressed: quickly, with flat memory.
func TestOverlappingZipRefused(t *testing.T) {
	bomb := bundletest.OverlappingZip(t, 100, 64<<20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := scanBytes(t, "bomb.zip", bomb, Options{})
	took := time.Since(start)
	runtime.ReadMemStats(&after)
	ae := archiveErr(t, err)
	assert.Contains(t, ae.Error(), "overlap")
	assert.Contains(t, ae.Error(), "zip bomb")
	assert.Less(t, took, time.Second)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "nothing decompressed")
	t.Logf("%d-byte zip refused in %v", len(bomb), took)

	into := bundletest.IntoDirectory(t, bundletest.OverlappingZip(t, 1, 1<<20))
	_, err = scanBytes(t, "into.zip", into, Options{})
	assert.Contains(t, archiveErr(t, err).Error(), "overlaps the central directory")
}

// test that --max-expanded counts the whole bundle: two archives under the
// limit each are refused together.
func TestExpandedBudgetIsPerBundle(t *testing.T) {
	dir := t.TempDir()
	one := gzipBytes(t, filler(600<<10))
	writeTree(t, dir, map[string][]byte{"a.gz": one, "b.gz": one})
	_, err := scanBytes(t, "a.gz", one, Options{Limits: Limits{MaxExpanded: 1 << 20}})
	require.NoError(t, err, "one file is under the limit")
	_, err = Scan(t.Context(), dir, testSecret, Options{Limits: Limits{MaxExpanded: 1 << 20}})
	assert.Contains(t, archiveErr(t, err).Error(), "limit --max-expanded")
}

// test that a zip64 archive (more than 65,535 entries: archive/zip writes
// zip64 end records) is laid out right: its comment is found where it is,
// and its entries are not mistaken for overlapping.
func TestZip64Layout(t *testing.T) {
	if testing.Short() {
		t.Skip("70,000 entries")
	}
	files := map[string][]byte{}
	for i := range 70_000 {
		files[fmt.Sprintf("d/%05d", i)] = nil
	}
	files["a.txt"] = append(filler(100), "a-test-value-123"...)
	z := zipBytes(t, files, zip.Store)
	require.True(t, bytes.Contains(z[len(z)-200:], []byte("PK\x06\x06")), "a zip64 end record")
	rep, err := scanBytes(t, "big.zip", z, Options{})
	require.NoError(t, err)
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, "big.zip!/a.txt", rep.Findings[0].File)
}
