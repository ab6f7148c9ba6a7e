package bundlescan

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
)

// gzip scans the decompressed stream under the same name: a .tar.gz's
// entries read "app.tar.gz!/file", a .gz file's offsets are offsets in its
// decompressed content.
func (w *worker) gzip(ctx context.Context, name string, r io.Reader, depth int, b *budget) error {
	cnt := &counter{r: r}
	zr, err := gzip.NewReader(cnt)
	if err != nil {
		return archiveErrorf(name, "gzip: %v", err)
	}
	in := &expander{r: zr, file: name, b: b, compressed: func() int64 { return cnt.n }}
	w.files-- // the decompressed stream is the same file, counted once
	return wrap(name, "gzip", w.item(ctx, name, in, nil, -1, depth+1, b))
}

func (w *worker) tar(ctx context.Context, name string, r io.Reader, depth int, b *budget) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return archiveErrorf(name, "tar: %v", err)
		}
		entry, ok := entryName(name, hdr.Name)
		if !ok {
			return archiveErrorf(entry, "entry path is absolute or leaves the archive with ..: refusing the bundle")
		}
		if err := b.entry(entry); err != nil {
			return err
		}
		if !hdr.FileInfo().Mode().IsRegular() {
			continue // directories, links (never followed), devices
		}
		if err := w.item(ctx, entry, tr, nil, hdr.Size, depth+1, b); err != nil {
			return wrap(entry, "tar", err)
		}
	}
}

func (w *worker) zip(ctx context.Context, name string, r io.Reader, ra io.ReaderAt, size int64, depth int, b *budget) error {
	if ra == nil {
		spooled, n, cleanup, err := w.spool(name, r)
		if err != nil {
			return err
		}
		defer cleanup()
		ra, size = spooled, n
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return archiveErrorf(name, "zip: %v", err)
	}
	for _, f := range zr.File {
		entry, ok := entryName(name, f.Name)
		if !ok {
			return archiveErrorf(entry, "entry path is absolute or leaves the archive with ..: refusing the bundle")
		}
		if err := b.entry(entry); err != nil {
			return err
		}
		if f.FileInfo().IsDir() {
			continue
		}
		if err := w.zipEntry(ctx, entry, f, size, depth, b); err != nil {
			return err
		}
	}
	return nil
}

func (w *worker) zipEntry(ctx context.Context, entry string, f *zip.File, size int64, depth int, b *budget) error {
	rc, err := f.Open()
	if err != nil {
		return archiveErrorf(entry, "zip: %v", err)
	}
	defer rc.Close()
	in := &expander{r: rc, file: entry, b: b}
	if f.Method != zip.Store {
		compressed := min(int64(f.CompressedSize64), size)
		in.compressed = func() int64 { return compressed }
	}
	return wrap(entry, "zip", w.item(ctx, entry, in, nil, int64(f.UncompressedSize64), depth+1, b))
}

// spool makes a nested zip readable at random: in memory when small, else
// in a temporary file (mode 0600, removed by cleanup).
func (w *worker) spool(name string, r io.Reader) (io.ReaderAt, int64, func(), error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(r, spoolInMemory+1)); err != nil {
		return nil, 0, nil, readError(name, err)
	}
	if buf.Len() <= spoolInMemory {
		return bytes.NewReader(buf.Bytes()), int64(buf.Len()), func() {}, nil
	}
	f, err := os.CreateTemp(w.sc.opts.TempDir, "secretsctl-scan-*.zip")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("scan %s: %w", name, err)
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	n, err := io.Copy(f, io.MultiReader(&buf, r))
	if err != nil {
		cleanup()
		return nil, 0, nil, readError(name, err)
	}
	return f, n, cleanup, nil
}

// maxAsarHeader bounds an asar archive's JSON index.
const maxAsarHeader = 64 << 20

// asarNode is a node of an asar archive's JSON index.
type asarNode struct {
	Files    map[string]*asarNode `json:"files"`
	Offset   string               `json:"offset"`
	Size     int64                `json:"size"`
	Unpacked bool                 `json:"unpacked"`
	Link     string               `json:"link"`
}

type asarEntry struct {
	name         string
	offset, size int64
}

// asar reads an Electron archive front to back: the JSON index, then each
// file's bytes in offset order, so it needs no random access. Unpacked
// files live beside the archive (app.asar.unpacked/) and are scanned there.
func (w *worker) asar(ctx context.Context, name string, r io.Reader, depth int, b *budget) error {
	var hdr [16]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return archiveErrorf(name, "asar: truncated header")
	}
	headerSize := int64(binary.LittleEndian.Uint32(hdr[4:]))
	jsonLen := int64(binary.LittleEndian.Uint32(hdr[12:]))
	if jsonLen > maxAsarHeader || jsonLen+8 > headerSize {
		return archiveErrorf(name, "asar: index of %d bytes in a header of %d", jsonLen, headerSize)
	}
	index := make([]byte, jsonLen)
	if _, err := io.ReadFull(r, index); err != nil {
		return archiveErrorf(name, "asar: truncated index")
	}
	w.sc.m.scan(index, func(p int32, off int) { w.value(name, p, 16+int64(off)) })
	var root asarNode
	if err := json.Unmarshal(index, &root); err != nil {
		return archiveErrorf(name, "asar: index: %v", err)
	}
	var entries []asarEntry
	if err := flattenAsar(name, "", &root, &entries, b); err != nil {
		return err
	}
	slices.SortFunc(entries, func(a, b asarEntry) int { return cmp.Compare(a.offset, b.offset) })
	pos := int64(16) + jsonLen - (8 + headerSize) // relative to the data start
	for _, e := range entries {
		if e.offset < pos {
			return archiveErrorf(e.name, "asar: entry overlaps another")
		}
		if n, err := io.CopyN(io.Discard, r, e.offset-pos); err != nil || n != e.offset-pos {
			return archiveErrorf(e.name, "asar: truncated before the entry")
		}
		lr := &io.LimitedReader{R: r, N: e.size}
		if err := w.item(ctx, e.name, lr, nil, e.size, depth+1, b); err != nil {
			return wrap(e.name, "asar", err)
		}
		if _, err := io.Copy(io.Discard, lr); err != nil || lr.N != 0 {
			return archiveErrorf(e.name, "asar: truncated entry")
		}
		pos = e.offset + e.size
	}
	return nil
}

func flattenAsar(archive, dir string, n *asarNode, out *[]asarEntry, b *budget) error {
	for _, key := range slices.Sorted(maps.Keys(n.Files)) {
		child := n.Files[key]
		p := key
		if dir != "" {
			p = dir + "/" + key
		}
		entry, ok := entryName(archive, p)
		if !ok || key == "" || key == "." || slices.Contains([]byte(key), '/') {
			return archiveErrorf(entry, "entry path is absolute or leaves the archive with ..: refusing the bundle")
		}
		if err := b.entry(entry); err != nil {
			return err
		}
		switch {
		case child == nil || child.Link != "" || child.Unpacked:
		case child.Files != nil:
			if err := flattenAsar(archive, p, child, out, b); err != nil {
				return err
			}
		default:
			off, err := strconv.ParseInt(child.Offset, 10, 64)
			if err != nil || off < 0 || child.Size < 0 {
				return archiveErrorf(entry, "asar: bad offset %q or size %d", child.Offset, child.Size)
			}
			*out = append(*out, asarEntry{name: entry, offset: off, size: child.Size})
		}
	}
	return nil
}

// wrap names the archive format in an error from inside it that is not
// already an archive error, a read error of the file, or cancellation.
func wrap(name, format string, err error) error {
	if err == nil {
		return nil
	}
	var ae *ArchiveError
	if errors.As(err, &ae) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return archiveErrorf(name, "%s: %v", format, err)
}
