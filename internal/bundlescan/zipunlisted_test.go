package bundlescan

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/bundlescan/bundletest"
)

// zipOf writes entries in order with archive/zip (which sets the data
// descriptor flag 0x8 on every file entry).
func zipOf(t *testing.T, method uint16, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: method})
		require.NoError(t, err)
		_, err = w.Write([]byte(e[1]))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// spliceAt inserts junk at off into a zip written by archive/zip (no
// comment, no zip64), moving the central directory's offsets past it.
func spliceAt(t *testing.T, z []byte, off int, junk []byte) []byte {
	t.Helper()
	eocd := len(z) - 22
	require.Equal(t, uint32(0x06054b50), binary.LittleEndian.Uint32(z[eocd:]))
	out := append(append(append([]byte{}, z[:off]...), junk...), z[off:]...)
	eocd += len(junk)
	n := uint32(len(junk))
	dir := binary.LittleEndian.Uint32(out[eocd+16:])
	if int(dir) >= off {
		dir += n
		binary.LittleEndian.PutUint32(out[eocd+16:], dir)
	}
	for p := int(dir); p < eocd; {
		rec := out[p:]
		require.Equal(t, uint32(0x02014b50), binary.LittleEndian.Uint32(rec))
		if h := binary.LittleEndian.Uint32(rec[42:]); int(h) >= off {
			binary.LittleEndian.PutUint32(rec[42:], h+n)
		}
		p += 46 + int(binary.LittleEndian.Uint16(rec[28:])) + int(binary.LittleEndian.Uint16(rec[30:])) + int(binary.LittleEndian.Uint16(rec[32:]))
	}
	return out
}

func assertOnlyPlace(t *testing.T, name string, z []byte, place string) {
	t.Helper()
	_, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	require.NoError(t, err, "archive/zip reads the crafted zip")
	rep, err := scanBytes(t, name, z, Options{})
	require.NoError(t, err)
	var places []string
	for _, f := range rep.Findings {
		places = append(places, f.File)
	}
	assert.Equal(t, []string{place}, places)
}

// test that junk bytes before a local entry the central directory leaves
// out do not hide it: the entry is decompressed and its value found.
func TestUnlistedEntryAfterJunk(t *testing.T) {
	v := string(testSecret[0].Value)
	hidden := string(filler(3000)) + v + string(filler(3000))
	for _, method := range []uint16{zip.Deflate, zip.Store} {
		z := bundletest.DropRecord(t, zipOf(t, method, [2]string{"a.txt", "clean"}, [2]string{"hidden.txt", hidden}), 1)
		at := bytes.LastIndex(z, []byte("PK\x03\x04"))
		for _, junk := range []string{"x", "\x00", "PK\x03", "PK\x03\x04junk"} {
			assertOnlyPlace(t, "app.zip", spliceAt(t, z, at, []byte(junk)), "app.zip!<unlisted entry 1>")
		}
	}
}

// test that a deflated unlisted entry with a data descriptor ends where its
// stream ends: a second unlisted entry after it in the same gap is read.
func TestSecondUnlistedEntryInGap(t *testing.T) {
	v := string(testSecret[0].Value)
	for _, method := range []uint16{zip.Deflate, zip.Store} {
		z := zipOf(t, method, [2]string{"a.txt", "clean"}, [2]string{"h1", string(filler(5000))},
			[2]string{"h2", string(filler(100)) + v})
		z = bundletest.DropRecord(t, bundletest.DropRecord(t, z, 1), 1)
		assertOnlyPlace(t, "app.zip", z, "app.zip!<unlisted entry 2>")
	}
}

// test that hostile gaps stay bounded: a gap of 1 MiB of local header
// signatures is searched quickly and the entry after it still found, and
// an unlisted entry counts against --max-expanded.
func TestUnlistedEntryBounds(t *testing.T) {
	v := string(testSecret[0].Value)
	z := bundletest.DropRecord(t, zipOf(t, zip.Deflate, [2]string{"a.txt", "clean"}, [2]string{"h", v}), 1)
	at := bytes.LastIndex(z, []byte("PK\x03\x04"))
	start := time.Now()
	assertOnlyPlace(t, "app.zip", spliceAt(t, z, at, bytes.Repeat([]byte("PK\x03\x04"), 1<<18)), "app.zip!<unlisted entry 1>")
	assert.Less(t, time.Since(start), 2*time.Second)

	z = bundletest.DropRecord(t, zipOf(t, zip.Deflate, [2]string{"a.txt", "clean"}, [2]string{"h", string(make([]byte, 2<<20))}), 1)
	_, err := scanBytes(t, "app.zip", z, Options{Limits: Limits{MaxExpanded: 1 << 20}})
	ae := archiveErr(t, err)
	assert.Contains(t, ae.Error(), "limit --max-expanded")
	assert.Equal(t, "app.zip!<unlisted entry 1>", ae.File)
}
