package bundlescan

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"maps"
	"slices"
)

// tar scans each entry's content, and the archive's own bytes: headers
// (names, link names, PAX records), padding, the end-of-archive marker and
// whatever follows it.
func (w *worker) tar(ctx context.Context, name string, r io.Reader, depth int, b *budget) error {
	tap := newRawScan(w.sc.m)
	raw := io.TeeReader(r, tap)
	tr := tar.NewReader(raw)
	var regions []region
	prev := int64(0) // where the last entry's content ended
	for i := 1; ; i++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return archiveErrorf(name, "tar: %v", err)
		}
		entry, ok := w.safeName(name, hdr.Name, i)
		if !ok {
			return archiveErrorf(entry, "entry path is absolute or leaves the archive with ..: refusing the bundle")
		}
		if err := b.entry(entry); err != nil {
			return err
		}
		start := tap.pos
		regions = append(regions, region{start: prev, end: start, place: entry + "!<header>", fields: tarFields(entry, hdr)})
		if err := w.tarEntry(ctx, entry, tr, hdr, tap, depth, b, &regions); err != nil {
			return err
		}
		prev = tap.pos
	}
	end := tap.pos
	regions = append(regions, region{start: prev, end: end, place: name + "!<end of archive>"})
	if _, err := io.Copy(io.Discard, raw); err != nil {
		return readError(name, err)
	}
	regions = append(regions, region{start: end, end: tap.pos, place: name + "!<after end of archive>"})
	w.attribute(tap.hits, regions, name+"!<after end of archive>")
	return nil
}

// tarEntry scans the content of an entry that has one (a regular file, or
// an entry of a type this reader does not know), noting its region.
func (w *worker) tarEntry(ctx context.Context, entry string, tr *tar.Reader, hdr *tar.Header, tap *rawScan, depth int, b *budget, regions *[]region) error {
	switch hdr.Typeflag {
	case tar.TypeDir, tar.TypeSymlink, tar.TypeLink, tar.TypeChar, tar.TypeBlock, tar.TypeFifo, tar.TypeXGlobalHeader:
		return nil // no content: links are never followed
	}
	start := tap.pos
	sparse := hdr.Typeflag == tar.TypeGNUSparse || hdr.PAXRecords["GNU.sparse.major"] != "" || hdr.PAXRecords["GNU.sparse.size"] != ""
	if !sparse {
		tap.skip(start, start+hdr.Size)
	}
	before := len(w.findings)
	if err := w.item(ctx, entry, tr, nil, hdr.Size, depth+1, b); err != nil {
		return wrap(entry, "tar", err)
	}
	if _, err := io.Copy(io.Discard, tr); err != nil {
		return archiveErrorf(entry, "tar: %v", err)
	}
	reg := region{start: start, end: tap.pos, place: entry + "!<content edge>", content: true}
	if sparse {
		reg = region{start: start, end: tap.pos, place: entry + "!<sparse data>", seen: w.seenSince(before)}
	}
	*regions = append(*regions, reg)
	return nil
}

// tarFields name the header fields a value can hide in.
func tarFields(entry string, hdr *tar.Header) []field {
	fs := []field{{hdr.Linkname, entry + "!<link name>"}, {hdr.Name, entry + "!<name>"}}
	for _, k := range slices.Sorted(maps.Keys(hdr.PAXRecords)) {
		fs = append(fs, field{k + "=" + hdr.PAXRecords[k], entry + "!<pax header>"})
	}
	return fs
}
