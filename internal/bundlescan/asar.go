package bundlescan

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"strconv"
)

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
// The archive's own bytes are scanned too: the index, and bytes between or
// after the files that the index does not reference.
func (w *worker) asar(ctx context.Context, name string, r io.Reader, depth int, b *budget) error {
	tap := newRawScan(w.sc.m)
	r = io.TeeReader(r, tap)
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
	var root asarNode
	if err := json.Unmarshal(index, &root); err != nil {
		return archiveErrorf(name, "asar: index: %v", err)
	}
	var entries []asarEntry
	if err := w.flattenAsar(name, "", &root, &entries, b); err != nil {
		return err
	}
	slices.SortFunc(entries, func(a, b asarEntry) int { return cmp.Compare(a.offset, b.offset) })
	dataStart := 8 + headerSize
	regions := []region{{start: 0, end: 16, place: name + "!<header>"}, {start: 16, end: 16 + jsonLen, place: name + "!<index>"}}
	for _, e := range entries {
		if e.offset+dataStart < tap.pos {
			return archiveErrorf(e.name, "asar: entry overlaps another")
		}
		gap := e.offset + dataStart - tap.pos
		if n, err := io.CopyN(io.Discard, r, gap); err != nil || n != gap {
			return archiveErrorf(e.name, "asar: truncated before the entry")
		}
		start := tap.pos
		tap.skip(start, start+e.size)
		lr := &io.LimitedReader{R: r, N: e.size}
		if err := w.item(ctx, e.name, lr, nil, e.size, depth+1, b); err != nil {
			return wrap(e.name, "asar", err)
		}
		if _, err := io.Copy(io.Discard, lr); err != nil || lr.N != 0 {
			return archiveErrorf(e.name, "asar: truncated entry")
		}
		regions = append(regions, region{start: start, end: tap.pos, place: e.name + "!<content edge>", content: true})
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return readError(name, err)
	}
	w.attribute(tap.hits, regions, name+"!<unreferenced bytes>")
	return nil
}

func (w *worker) flattenAsar(archive, dir string, n *asarNode, out *[]asarEntry, b *budget) error {
	for _, key := range slices.Sorted(maps.Keys(n.Files)) {
		child := n.Files[key]
		p := key
		if dir != "" {
			p = dir + "/" + key
		}
		entry, ok := w.safeName(archive, p, b.entries+1)
		if !ok || key == "" || key == "." || slices.Contains([]byte(key), '/') {
			return archiveErrorf(entry, "entry path is absolute or leaves the archive with ..: refusing the bundle")
		}
		if err := b.entry(entry); err != nil {
			return err
		}
		switch {
		case child == nil || child.Link != "" || child.Unpacked:
		case child.Files != nil:
			if err := w.flattenAsar(archive, p, child, out, b); err != nil {
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
