package bundlescan

import (
	"archive/zip"
	"cmp"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// zipUnlisted scans the local entries that lie in bytes no listed entry
// references: an entry the central directory leaves out still holds
// content, deflated or stored, that unzip tools can recover. Each gap is
// read from its start as a chain of local entries; bytes that are not one
// are left to the raw scan ("<unreferenced bytes>").
func (w *worker) zipUnlisted(ctx context.Context, name string, ra io.ReaderAt, gaps []span, depth int, b *budget) ([]region, error) {
	var out []region
	for _, g := range gaps {
		for pos := g.start; g.end-pos >= 30; {
			var h [30]byte
			if _, err := ra.ReadAt(h[:], pos); err != nil || binary.LittleEndian.Uint32(h[:]) != sigLocal {
				break
			}
			flags, method := binary.LittleEndian.Uint16(h[6:]), binary.LittleEndian.Uint16(h[8:])
			data := pos + 30 + int64(binary.LittleEndian.Uint16(h[26:])) + int64(binary.LittleEndian.Uint16(h[28:]))
			size := int64(binary.LittleEndian.Uint32(h[18:]))
			if flags&0x8 != 0 || data+size > g.end {
				size = g.end - data // the size is in a descriptor after the data, or a lie
			}
			if size < 0 || method != zip.Store && method != zip.Deflate {
				break
			}
			entry := fmt.Sprintf("%s!<unlisted entry %d>", name, len(out)+1)
			reg, err := w.zipUnlistedEntry(ctx, entry, io.NewSectionReader(ra, data, size), method, depth, b)
			if err != nil {
				return nil, err
			}
			reg.start, reg.end = data, data+size
			out = append(out, reg)
			pos = data + size
		}
	}
	return out, nil
}

func (w *worker) zipUnlistedEntry(ctx context.Context, entry string, sec *io.SectionReader, method uint16, depth int, b *budget) (region, error) {
	if err := b.entry(entry); err != nil {
		return region{}, err
	}
	in := &expander{r: sec, file: entry, b: b}
	if method == zip.Deflate {
		fr := flate.NewReader(sec)
		defer fr.Close()
		in.r = fr
		in.compressed = sec.Size
	}
	before := len(w.findings)
	if err := w.item(ctx, entry, in, nil, -1, depth+1, b); err != nil {
		return region{}, wrap(entry, "zip", err)
	}
	if _, err := io.Copy(io.Discard, in); err != nil {
		return region{}, wrap(entry, "zip", err)
	}
	if method == zip.Store {
		return region{place: entry + "!<content edge>", content: true}, nil
	}
	return region{place: entry + "!<compressed data>", seen: w.seenSince(before)}, nil
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
