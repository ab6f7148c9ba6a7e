package bundlescan

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

var (
	sigLocalBytes = []byte("PK\x03\x04")
	sigDescBytes  = []byte("PK\x07\x08")
)

// zipUnlisted scans the local entries that lie in bytes no listed entry
// references: an entry the central directory leaves out still holds
// content, deflated or stored, that unzip tools (Java's ZipInputStream)
// recover. Every local header signature in a gap is tried, so junk bytes
// before an entry do not hide it; a deflated entry ends where its stream
// ends, so the entries after it in the same gap are read too. Bytes that
// are not an entry are left to the raw scan ("<unreferenced bytes>").
func (w *worker) zipUnlisted(ctx context.Context, name string, ra io.ReaderAt, gaps []span, depth int, b *budget) ([]region, error) {
	var out []region
	sf := &sigFinder{ra: ra, buf: make([]byte, 64<<10)}
	for _, g := range gaps {
		for pos := g.start; ; {
			p := sf.next(pos, g.end, sigLocalBytes)
			if p < 0 {
				break
			}
			pos = p + 1
			le, ok := readLocalEntry(ra, sf, p, g.end)
			if !ok {
				continue
			}
			entry := fmt.Sprintf("%s!<unlisted entry %d>", name, len(out)+1)
			reg, used, err := w.zipUnlistedEntry(ctx, entry, io.NewSectionReader(ra, le.data, le.size), le.method, depth, b)
			if err != nil {
				return nil, err
			}
			reg.start, reg.end = le.data, le.data+used
			out = append(out, reg)
			pos = max(pos, le.data+used)
		}
	}
	return out, nil
}

type localEntry struct {
	data, size int64 // the data's start, and the bytes it may take
	method     uint16
}

// readLocalEntry reads the local header at p; size is the header's, or,
// when the size is in a data descriptor after the data (flag 0x8) or the
// header lies, the rest of the gap (a stored entry's descriptor is looked
// for: the first one whose size matches).
func readLocalEntry(ra io.ReaderAt, sf *sigFinder, p, end int64) (localEntry, bool) {
	var h [30]byte
	if end-p < 30 {
		return localEntry{}, false
	}
	if _, err := ra.ReadAt(h[:], p); err != nil {
		return localEntry{}, false
	}
	flags, method := binary.LittleEndian.Uint16(h[6:]), binary.LittleEndian.Uint16(h[8:])
	data := p + 30 + int64(binary.LittleEndian.Uint16(h[26:])) + int64(binary.LittleEndian.Uint16(h[28:]))
	size := int64(binary.LittleEndian.Uint32(h[18:]))
	if data > end || method != zip.Store && method != zip.Deflate {
		return localEntry{}, false
	}
	if flags&0x8 != 0 || data+size > end {
		size = end - data
		if method == zip.Store && flags&0x8 != 0 {
			size = storedSize(ra, sf, data, end)
		}
	}
	return localEntry{data: data, size: size, method: method}, true
}

// storedSize finds a stored entry's end by its data descriptor: the first
// signature whose compressed size is the bytes since data.
func storedSize(ra io.ReaderAt, sf *sigFinder, data, end int64) int64 {
	for q := data; ; q++ {
		if q = sf.next(q, end, sigDescBytes); q < 0 {
			return end - data
		}
		var d [16]byte
		if _, err := ra.ReadAt(d[:], q); err == nil && int64(binary.LittleEndian.Uint32(d[8:])) == q-data {
			return q - data
		}
	}
}

// zipUnlistedEntry scans one unlisted entry; used is the bytes of sec its
// data took (a deflate stream's own length: flate reads through a
// bufio.Reader, an io.ByteReader, so it does not read past its end).
func (w *worker) zipUnlistedEntry(ctx context.Context, entry string, sec *io.SectionReader, method uint16, depth int, b *budget) (region, int64, error) {
	if err := b.entry(entry); err != nil {
		return region{}, 0, err
	}
	in := &expander{r: sec, file: entry, b: b}
	used := func() int64 { return sec.Size() }
	if method == zip.Deflate {
		br := bufio.NewReader(sec)
		used = func() int64 {
			off, _ := sec.Seek(0, io.SeekCurrent)
			return off - int64(br.Buffered())
		}
		fr := flate.NewReader(br)
		defer fr.Close()
		in.r = fr
		in.compressed = used
	}
	before := len(w.findings)
	if err := w.item(ctx, entry, in, nil, -1, depth+1, b); err != nil {
		return region{}, 0, wrap(entry, "zip", err)
	}
	if _, err := io.Copy(io.Discard, in); err != nil {
		return region{}, 0, wrap(entry, "zip", err)
	}
	if method == zip.Store {
		return region{place: entry + "!<content edge>", content: true}, used(), nil
	}
	return region{place: entry + "!<compressed data>", seen: w.seenSince(before)}, used(), nil
}

// sigFinder finds a 4-byte signature in a ReaderAt, reading a window at a
// time and keeping it, so that many tries in one gap read each byte about
// once, in flat memory.
type sigFinder struct {
	ra  io.ReaderAt
	buf []byte
	off int64
	n   int
}

// next is the first offset in [from, end) where sig starts, or -1.
func (s *sigFinder) next(from, end int64, sig []byte) int64 {
	for end-from >= int64(len(sig)) {
		if from < s.off || from+int64(len(sig)) > s.off+int64(s.n) {
			want := min(int64(len(s.buf)), end-from)
			s.n, _ = s.ra.ReadAt(s.buf[:want], from)
			s.off = from
			if s.n < len(sig) {
				return -1
			}
		}
		win := s.buf[from-s.off : min(int64(s.n), end-s.off)]
		if i := bytes.Index(win, sig); i >= 0 {
			return from + int64(i)
		}
		if s.off+int64(s.n) >= end || s.n < len(s.buf) {
			return -1
		}
		from = s.off + int64(s.n) - int64(len(sig)) + 1
	}
	return -1
}

// gaps are the parts of [0, size) that no region covers.
func gaps(regions []region, size int64) []span {
	sorted := slices.SortedFunc(slices.Values(regions), func(a, b region) int { return cmp.Compare(a.start, b.start) })
	var out []span
	pos := int64(0)
	for _, r := range sorted {
		if r.start > pos {
			out = append(out, span{pos, r.start})
		}
		pos = max(pos, r.end)
	}
	if pos < size {
		out = append(out, span{pos, size})
	}
	return out
}
