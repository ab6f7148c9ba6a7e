package bundlescan

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// zip refuses a zip whose entries overlap (before decompressing anything),
// scans each entry's content, then the file's own bytes: local headers,
// the central directory's names, extra fields and comments, the archive
// comment, and bytes that nothing references.
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
	lay, err := readZipLayout(ra, size, zr)
	if err != nil {
		return archiveErrorf(name, "zip: %v", err)
	}
	names := make([]string, len(zr.File))
	for i, f := range zr.File {
		entry, ok := w.safeName(name, f.Name, i+1)
		if !ok {
			return archiveErrorf(entry, "entry path is absolute or leaves the archive with ..: refusing the bundle")
		}
		names[i] = entry
	}
	if i, j, bad := lay.overlap(size); bad {
		return archiveErrorf(name, "%s: a zip bomb? refusing the bundle", overlapReason(names, i, j))
	}
	regions := lay.fileRegions(ra, name, names, zr, size)
	for i, f := range zr.File {
		if err := b.entry(names[i]); err != nil {
			return err
		}
		if f.FileInfo().IsDir() {
			e := lay.entries[i]
			regions = append(regions, region{start: e.data, end: e.dataEnd, place: names[i] + "!<directory data>"})
			continue
		}
		before := len(w.findings)
		if err := w.zipEntry(ctx, names[i], f, size, depth, b); err != nil {
			return err
		}
		regions = append(regions, lay.dataRegion(names[i], i, f, w.seenSince(before)))
	}
	unlisted, err := w.zipUnlisted(ctx, name, ra, gaps(regions, size), depth, b)
	if err != nil {
		return err
	}
	regions = append(regions, unlisted...)
	tap := newRawScan(w.sc.m)
	for _, r := range regions {
		if r.content {
			tap.skip(r.start, r.end)
		}
	}
	if err := tap.readAt(ra, size); err != nil {
		return readError(name, err)
	}
	w.attribute(tap.hits, regions, name+"!<unreferenced bytes>")
	return nil
}

func overlapReason(names []string, i, j int) string {
	switch {
	case i < 0:
		return "the central directory overlaps its end record"
	case i == j:
		return fmt.Sprintf("entry %s overlaps the central directory or runs past the file", names[i])
	}
	return fmt.Sprintf("entries %s and %s overlap", names[i], names[j])
}

// fileRegions are a zip's parts other than its entries' data; names are
// the entries' (safe) names.
func (l *zipLayout) fileRegions(ra io.ReaderAt, name string, names []string, zr *zip.Reader, size int64) []region {
	var out []region
	add := func(start, n int64, place string) {
		out = append(out, region{start: start, end: start + n, place: place})
	}
	for i, f := range zr.File {
		e, entry := l.entries[i], names[i]
		p := e.record
		nameLen, extraLen := int64(len(f.Name)), int64(len(f.Extra))
		add(e.header, e.data-e.header, entry+"!<local header>")
		add(p, dirRecLen, entry+"!<central directory header>")
		add(p+dirRecLen, nameLen, entry+"!<name>")
		add(p+dirRecLen+nameLen, extraLen, entry+"!<extra field>")
		add(p+dirRecLen+nameLen+extraLen, int64(len(f.Comment)), entry+"!<comment>")
		if f.Flags&0x8 != 0 {
			add(e.dataEnd, descriptorLen(ra, e.dataEnd, f), entry+"!<data descriptor>")
		}
	}
	tail := l.eocd + 22 + int64(len(zr.Comment))
	add(l.dirEnd, l.eocd+22-l.dirEnd, name+"!<end of central directory>")
	add(l.eocd+22, int64(len(zr.Comment)), name+"!<comment>")
	add(tail, size-tail, name+"!<trailing data>")
	return out
}

// descriptorLen is the length of the data descriptor after an entry's
// data: CRC-32 and two sizes (8 bytes each in zip64), after an optional
// signature.
func descriptorLen(ra io.ReaderAt, at int64, f *zip.File) int64 {
	n := int64(12)
	if f.CompressedSize64 >= 0xffffffff || f.UncompressedSize64 >= 0xffffffff {
		n = 20
	}
	if sigAt(ra, at, 0x08074b50) {
		n += 4
	}
	return n
}

// dataRegion is entry i's data: its content when stored, else compressed
// data, in which a value its content does not hold is reported.
func (l *zipLayout) dataRegion(entry string, i int, f *zip.File, seen map[string]bool) region {
	e := l.entries[i]
	if f.Method == zip.Store {
		return region{start: e.data, end: e.dataEnd, place: entry + "!<content edge>", content: true}
	}
	return region{start: e.data, end: e.dataEnd, place: entry + "!<compressed data>", seen: seen}
}

// readAt feeds the tap a file read at random, reading only what it scans.
func (r *rawScan) readAt(ra io.ReaderAt, size int64) error {
	slices.SortFunc(r.skips, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	pos := int64(0)
	for _, s := range append(r.skips, span{size, size}) {
		if s.start > pos {
			r.pos = pos
			if _, err := io.Copy(r, io.NewSectionReader(ra, pos, s.start-pos)); err != nil {
				return err
			}
		}
		pos = max(pos, s.end)
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
	if err := w.item(ctx, entry, in, nil, int64(f.UncompressedSize64), depth+1, b); err != nil {
		return wrap(entry, "zip", err)
	}
	// Read to the end, so that the CRC-32 is checked.
	if _, err := io.Copy(io.Discard, in); err != nil {
		return wrap(entry, "zip", err)
	}
	return nil
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
