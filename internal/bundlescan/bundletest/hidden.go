package bundletest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

// Hidden is a bundle file with a value planted in the container's own
// bytes rather than in an entry's content, and the place a scan must name
// (a finding's File).
type Hidden struct {
	Case, File, Place string
	Data              []byte
}

// HiddenPlaces plants v in every place of a container's own bytes that
// issue 17 lists: after a tar's end marker, after a .tar.gz's last member,
// in a second gzip member, in gzip header fields, in a zip's comment,
// extra field and entry name, in a zip local entry the central directory
// does not list, in a tar PAX header and symlink target, and in asar bytes
// its index does not reference.
func HiddenPlaces(t testing.TB, v []byte) []Hidden {
	t.Helper()
	files := map[string][]byte{"index.html": Filler(3000), "a.txt": []byte("fine")}
	tb, clean := Tar(t, files), Zip(t, files, zip.Deflate)
	return []Hidden{
		{"tar after end marker", "bundle.tar", "bundle.tar!<after end of archive>", cat(tb, v)},
		{"tar.gz trailing data", "bundle.tgz", "bundle.tgz!<trailing data>", cat(Gzip(t, tb), v)},
		{"second gzip member", "bundle.tgz", "bundle.tgz!<after end of archive>", cat(Gzip(t, tb), Gzip(t, cat(Filler(100), v)))},
		{"gzip file name", "bundle.tgz", "bundle.tgz!<gzip file name>", gzipHeader(t, tb, gzip.Header{Name: string(v)})},
		{"gzip comment", "bundle.tgz", "bundle.tgz!<gzip comment>", gzipHeader(t, tb, gzip.Header{Comment: "x" + string(v)})},
		{"zip comment", "app.zip", "app.zip!<comment>", zipWith(t, files, func(zw *zip.Writer) { require.NoError(t, zw.SetComment(string(v))) }, nil)},
		{"zip extra field", "app.zip", "app.zip!/extra.txt!<extra field>", zipWith(t, files, nil,
			&zip.FileHeader{Name: "extra.txt", Method: zip.Deflate, Extra: cat([]byte{0xfe, 0xca, byte(len(v)), 0}, v)})},
		{"zip entry name", "app.zip", "app.zip!/<entry 1>!<name>", zipWith(t, files, nil, &zip.FileHeader{Name: "aa/" + string(v) + ".txt"})},
		{"zip stored local entry not in the directory", "app.zip", "app.zip!<unlisted entry 1>", unlisted(t, files, v, zip.Store)},
		{"zip deflated local entry not in the directory", "app.zip", "app.zip!<unlisted entry 1>", unlisted(t, files, v, zip.Deflate)},
		{"zip bytes between entries", "app.zip", "app.zip!<unreferenced bytes>", unlisted(t, files, v, 99)},
		{"zip clean", "clean.zip", "", clean},
		{"tar PAX header", "bundle.tar", "bundle.tar!/pax.txt!<pax header>", tarWith(t, files, &tar.Header{Name: "pax.txt",
			Typeflag: tar.TypeReg, Mode: 0o644, PAXRecords: map[string]string{"SCHILY.xattr.user.note": string(v)}})},
		{"tar symlink target", "bundle.tar", "bundle.tar!/link!<link name>", tarWith(t, files, &tar.Header{Name: "link",
			Typeflag: tar.TypeSymlink, Linkname: "/etc/" + string(v)})},
		{"asar unreferenced bytes", "app.asar", "app.asar!<unreferenced bytes>", cat(Asar(t, files), v)},
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func gzipHeader(t testing.TB, data []byte, h gzip.Header) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Header = h
	_, err := zw.Write(data)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// zipWith is Zip(files, Deflate) with one more entry (empty content) and a
// change to the writer before it closes.
func zipWith(t testing.TB, files map[string][]byte, edit func(*zip.Writer), extra *zip.FileHeader) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	if extra != nil {
		_, err := zw.CreateHeader(extra)
		require.NoError(t, err)
	}
	for _, name := range SortedKeys(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		require.NoError(t, err)
		_, err = w.Write(files[name])
		require.NoError(t, err)
	}
	if edit != nil {
		edit(zw)
	}
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func tarWith(t testing.TB, files map[string][]byte, extra *tar.Header) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	require.NoError(t, tw.WriteHeader(extra))
	for _, name := range SortedKeys(files) {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(files[name])), Typeflag: tar.TypeReg}))
		_, err := tw.Write(files[name])
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	return b.Bytes()
}

// unlisted is a zip whose first local entry, holding v with method, is
// left out of the central directory: its bytes are in the file, but no
// listed entry references them. Method 99 (unknown) leaves its data as
// bytes no reader can decode: stored as is.
func unlisted(t testing.TB, files map[string][]byte, v []byte, method uint16) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	zw.RegisterCompressor(99, func(w io.Writer) (io.WriteCloser, error) { return nopCloser{w}, nil })
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "hidden.txt", Method: method})
	require.NoError(t, err)
	_, err = w.Write(cat(Filler(3000), v, Filler(3000)))
	require.NoError(t, err)
	for _, name := range SortedKeys(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		require.NoError(t, err)
		_, err = w.Write(files[name])
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return DropRecord(t, b.Bytes(), 0)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// DropRecord removes central directory record i from a zip written by
// archive/zip (no comment, no zip64), leaving its local entry in place.
func DropRecord(t testing.TB, z []byte, i int) []byte {
	t.Helper()
	eocd := len(z) - 22
	require.Equal(t, uint32(0x06054b50), binary.LittleEndian.Uint32(z[eocd:]))
	start := int(binary.LittleEndian.Uint32(z[eocd+16:]))
	p := start
	for range i {
		p += recordLen(z[p:])
	}
	n := recordLen(z[p:])
	out := cat(z[:p], z[p+n:])
	end := out[len(out)-22:]
	binary.LittleEndian.PutUint16(end[8:], binary.LittleEndian.Uint16(end[8:])-1)
	binary.LittleEndian.PutUint16(end[10:], binary.LittleEndian.Uint16(end[10:])-1)
	binary.LittleEndian.PutUint32(end[12:], binary.LittleEndian.Uint32(end[12:])-uint32(n))
	return out
}

func recordLen(rec []byte) int {
	return 46 + int(binary.LittleEndian.Uint16(rec[28:])) + int(binary.LittleEndian.Uint16(rec[30:])) + int(binary.LittleEndian.Uint16(rec[32:]))
}

// OverlappingZip is a zip bomb of the kind that defeats per-entry limits:
// n central directory entries that all point at one local entry, a
// deflate stream of size zeros, so that the zip expands to n*size bytes.
func OverlappingZip(t testing.TB, n, size int) []byte {
	t.Helper()
	z := Zip(t, map[string][]byte{"zeros": make([]byte, size)}, zip.Deflate)
	eocd := len(z) - 22
	start := int(binary.LittleEndian.Uint32(z[eocd+16:]))
	rec := z[start:eocd]
	var dir bytes.Buffer
	for range n {
		dir.Write(rec)
	}
	end := bytes.Clone(z[eocd:])
	binary.LittleEndian.PutUint16(end[8:], uint16(n))
	binary.LittleEndian.PutUint16(end[10:], uint16(n))
	binary.LittleEndian.PutUint32(end[12:], uint32(dir.Len()))
	return cat(z[:start], dir.Bytes(), end)
}

// IntoDirectory is z with entry 0's compressed size grown to run into the
// central directory.
func IntoDirectory(t testing.TB, z []byte) []byte {
	t.Helper()
	out := bytes.Clone(z)
	eocd := len(out) - 22
	start := int(binary.LittleEndian.Uint32(out[eocd+16:]))
	binary.LittleEndian.PutUint32(out[start+20:], uint32(start-30-len("zeros")+8))
	return out
}
