package gitrepo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// packReader reads objects straight from a repository's pack files, for
// bulk reads (ReadFiles): go-git's pack reader passes every compressed byte
// through a buffered CRC and SHA-1 writer, rehashes every object it caches
// and reads the file through a seek per object, which made those costs
// about half of reading 10,000 ledger events. packReader reads each object
// with one pread of its exact extent, inflates it from memory and keeps
// resolved objects as delta bases. It is safe for concurrent use. Objects
// it cannot find (loose ones, alternates, packs written after it was made)
// are for the caller to read otherwise.
type packReader struct {
	packs []*packFile

	mu     sync.Mutex
	bases  map[baseKey][]byte // resolved objects, as delta bases
	cached int                // bytes in bases
}

// baseKey names an object by its pack and offset.
type baseKey struct {
	pack   *packFile
	offset uint64
}

// maxBaseCache bounds the bytes of resolved objects kept as delta bases
// (go-git's object cache has the same default).
const maxBaseCache = 96 << 20

// maxDeltaDepth bounds a delta chain (git's default --depth is 50); a
// deeper one is a corrupt pack (or a cycle).
const maxDeltaDepth = 10000

// errNotInPacks is an object none of the packs holds.
var errNotInPacks = errors.New("not in the pack files")

// packFile is one pack and its version 2 index.
type packFile struct {
	name    string
	f       *os.File
	fanout  [256]uint32
	hashes  []byte   // 20 bytes per object, sorted
	offsets []uint64 // per object, in hash order
	ends    []uint64 // every object's offset, sorted, then the trailer's
}

// openPackReader opens the pack files of the repository whose shared git
// directory is commonDir. A pack it cannot read is left out (its objects
// are then read otherwise).
func openPackReader(commonDir string) *packReader {
	pr := &packReader{bases: map[baseKey][]byte{}}
	idxs, _ := filepath.Glob(filepath.Join(commonDir, "objects", "pack", "pack-*.idx"))
	for _, idx := range idxs {
		if p, err := openPackFile(idx); err == nil {
			pr.packs = append(pr.packs, p)
		}
	}
	return pr
}

// close closes the pack files.
func (pr *packReader) close() {
	for _, p := range pr.packs {
		p.f.Close()
	}
}

func openPackFile(idxName string) (*packFile, error) {
	idx, err := os.ReadFile(idxName)
	if err != nil {
		return nil, err
	}
	// Version 2: magic, version, fanout, hashes, CRCs, 32-bit offsets,
	// 64-bit offsets, pack checksum, index checksum.
	if len(idx) < 8+256*4+40 || !bytes.Equal(idx[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		return nil, fmt.Errorf("%s: not a version 2 pack index", idxName)
	}
	p := &packFile{name: strings.TrimSuffix(idxName, ".idx") + ".pack"}
	for i := range p.fanout {
		p.fanout[i] = binary.BigEndian.Uint32(idx[8+4*i:])
	}
	n := int(p.fanout[255])
	hashesAt := 8 + 256*4
	off32At := hashesAt + 24*n // hashes, then CRCs
	off64At := off32At + 4*n
	if len(idx) < off64At+40 {
		return nil, fmt.Errorf("%s: truncated", idxName)
	}
	for i := 1; i < 256; i++ {
		if p.fanout[i] < p.fanout[i-1] {
			return nil, fmt.Errorf("%s: bad fanout table", idxName)
		}
	}
	p.hashes = idx[hashesAt : hashesAt+20*n]
	p.offsets = make([]uint64, n)
	for i := range n {
		o := binary.BigEndian.Uint32(idx[off32At+4*i:])
		if o&0x80000000 == 0 {
			p.offsets[i] = uint64(o)
			continue
		}
		at := off64At + 8*int(o&0x7fffffff)
		if at+8 > len(idx)-40 {
			return nil, fmt.Errorf("%s: bad 64-bit offset", idxName)
		}
		p.offsets[i] = binary.BigEndian.Uint64(idx[at:])
	}
	f, err := os.Open(p.name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	var head [12]byte
	if err == nil {
		_, err = f.ReadAt(head[:], 0)
	}
	if err != nil || !bytes.Equal(head[:4], []byte("PACK")) || int(binary.BigEndian.Uint32(head[8:])) != n || fi.Size() < 32 {
		f.Close()
		return nil, fmt.Errorf("%s: not the pack of its index", p.name)
	}
	p.f = f
	p.ends = append(slices.Clone(p.offsets), uint64(fi.Size()-20))
	slices.Sort(p.ends)
	return p, nil
}

// find returns the offset of an object in the pack.
func (p *packFile) find(h plumbing.Hash) (uint64, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(p.fanout[h[0]-1])
	}
	hi := int(p.fanout[h[0]])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(p.hashes[20*m:20*m+20], h[:]); {
		case c == 0:
			return p.offsets[m], true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return 0, false
}

// extent reads the bytes of the object at offset, up to the next object,
// into buf (grown as needed).
func (p *packFile) extent(offset uint64, buf []byte) ([]byte, error) {
	i, ok := slices.BinarySearch(p.ends, offset)
	if !ok || i+1 >= len(p.ends) {
		return nil, fmt.Errorf("%s: no object at offset %d", p.name, offset)
	}
	b := slices.Grow(buf[:0], int(p.ends[i+1]-offset))[:p.ends[i+1]-offset]
	if _, err := p.f.ReadAt(b, int64(offset)); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	return b, nil
}

// extents recycles the buffers objects are read into.
var extents = sync.Pool{New: func() any { return new([]byte) }}

// read returns the type and content of an object; an error wrapping
// errNotInPacks when no pack has it.
func (pr *packReader) read(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	for _, p := range pr.packs {
		if off, ok := p.find(h); ok {
			return pr.at(p, off, 0)
		}
	}
	return plumbing.InvalidObject, nil, fmt.Errorf("object %s: %w", h, errNotInPacks)
}

// at returns the type and content of the object at offset of pack p,
// resolving deltas.
func (pr *packReader) at(p *packFile, offset uint64, depth int) (plumbing.ObjectType, []byte, error) {
	if depth > maxDeltaDepth {
		return plumbing.InvalidObject, nil, fmt.Errorf("%s: delta chain deeper than %d at offset %d", p.name, maxDeltaDepth, offset)
	}
	key := baseKey{p, offset}
	pr.mu.Lock()
	b, ok := pr.bases[key]
	pr.mu.Unlock()
	if ok {
		return objectType(b), b[1:], nil
	}
	buf := extents.Get().(*[]byte)
	defer extents.Put(buf)
	raw, err := p.extent(offset, *buf)
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	*buf = raw
	if len(raw) == 0 {
		return plumbing.InvalidObject, nil, fmt.Errorf("%s: empty object at offset %d", p.name, offset)
	}
	bad := func(what string) error { return fmt.Errorf("%s: object at offset %d: %s", p.name, offset, what) }
	// Header: type and inflated size, then a delta's base.
	c, i := raw[0], 1
	typ := plumbing.ObjectType((c >> 4) & 7)
	size, shift := uint64(c&15), 4
	for c&0x80 != 0 {
		if i >= len(raw) || shift > 63 {
			return plumbing.InvalidObject, nil, bad("bad header")
		}
		c = raw[i]
		i++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	var baseType plumbing.ObjectType
	var base []byte
	switch typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject:
		if i >= len(raw) {
			return plumbing.InvalidObject, nil, bad("bad delta offset")
		}
		c = raw[i]
		i++
		back := uint64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(raw) || back >= 1<<56 {
				return plumbing.InvalidObject, nil, bad("bad delta offset")
			}
			c = raw[i]
			i++
			back = (back+1)<<7 | uint64(c&0x7f)
		}
		if back == 0 || back > offset {
			return plumbing.InvalidObject, nil, bad("bad delta offset")
		}
		baseType, base, err = pr.at(p, offset-back, depth+1)
	case plumbing.REFDeltaObject:
		if i+20 > len(raw) {
			return plumbing.InvalidObject, nil, bad("bad delta base")
		}
		var bh plumbing.Hash
		copy(bh[:], raw[i:i+20])
		i += 20
		baseType, base, err = pr.baseByHash(bh, depth+1)
	default:
		return plumbing.InvalidObject, nil, bad(fmt.Sprintf("unknown type %d", typ))
	}
	if err != nil {
		return plumbing.InvalidObject, nil, err
	}
	// The object is kept with its type in front, as a possible delta base.
	kept, err := inflate(raw[i:], size)
	if err != nil {
		return plumbing.InvalidObject, nil, bad(err.Error())
	}
	if base != nil {
		typ = baseType
		if kept, err = applyDelta(base, kept[1:]); err != nil {
			return plumbing.InvalidObject, nil, bad(err.Error())
		}
	}
	kept[0] = byte(typ)
	pr.mu.Lock()
	if _, dup := pr.bases[key]; !dup && pr.cached+len(kept) <= maxBaseCache {
		pr.bases[key] = kept
		pr.cached += len(kept)
	}
	pr.mu.Unlock()
	return typ, kept[1:], nil
}

// baseByHash resolves a ref-delta's base, which may be in any pack.
func (pr *packReader) baseByHash(h plumbing.Hash, depth int) (plumbing.ObjectType, []byte, error) {
	for _, p := range pr.packs {
		if off, ok := p.find(h); ok {
			return pr.at(p, off, depth)
		}
	}
	return plumbing.InvalidObject, nil, fmt.Errorf("delta base %s: %w", h, errNotInPacks)
}

func objectType(kept []byte) plumbing.ObjectType { return plumbing.ObjectType(kept[0]) }

var zlibReaders sync.Pool // of io.ReadCloser that are zlib.Resetter

// inflate decompresses a zlib stream that must hold exactly size bytes;
// they follow one byte left for the caller.
func inflate(z []byte, size uint64) ([]byte, error) {
	// Deflate expands at most about 1032:1; a header that claims more is
	// corrupt (and must not make us allocate it).
	if size > uint64(len(z))*1100+64 {
		return nil, fmt.Errorf("inflate: size %d is more than %d compressed bytes can hold", size, len(z))
	}
	src := bytes.NewReader(z)
	var zr io.ReadCloser
	if v := zlibReaders.Get(); v != nil {
		zr = v.(io.ReadCloser)
		if err := zr.(zlib.Resetter).Reset(src, nil); err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
	}
	defer zlibReaders.Put(zr)
	out := make([]byte, 1+size)
	if _, err := io.ReadFull(zr, out[1:]); err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	// The stream must end here (its checksum is checked at its end).
	var one [1]byte
	if n, err := zr.Read(one[:]); n != 0 || err != io.EOF {
		return nil, errors.New("inflate: more data than the header says")
	}
	return out, nil
}

// applyDelta applies a git delta to base; the result follows one byte left
// for the caller.
func applyDelta(base, delta []byte) ([]byte, error) {
	bad := errors.New("corrupt delta")
	varint := func() (uint64, bool) {
		var v uint64
		for shift := 0; shift < 64; shift += 7 {
			if len(delta) == 0 {
				return 0, false
			}
			c := delta[0]
			delta = delta[1:]
			v |= uint64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	srcSize, ok1 := varint()
	dstSize, ok2 := varint()
	if !ok1 || !ok2 || srcSize != uint64(len(base)) {
		return nil, bad
	}
	// dstSize is untrusted until the result has that size: preallocate
	// only what the delta can plausibly produce.
	out := make([]byte, 1, 1+min(dstSize, uint64(len(base))+uint64(len(delta))))
	for len(delta) > 0 {
		c := delta[0]
		delta = delta[1:]
		switch {
		case c&0x80 != 0: // copy from base
			var off, n uint64
			for k := range 4 {
				if c&(1<<k) != 0 {
					if len(delta) == 0 {
						return nil, bad
					}
					off |= uint64(delta[0]) << (8 * k)
					delta = delta[1:]
				}
			}
			for k := range 3 {
				if c&(0x10<<k) != 0 {
					if len(delta) == 0 {
						return nil, bad
					}
					n |= uint64(delta[0]) << (8 * k)
					delta = delta[1:]
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || uint64(len(out)-1)+n > dstSize {
				return nil, bad
			}
			out = append(out, base[off:off+n]...)
		case c != 0: // insert c bytes
			n := int(c)
			if n > len(delta) || uint64(len(out)-1+n) > dstSize {
				return nil, bad
			}
			out = append(out, delta[:n]...)
			delta = delta[n:]
		default:
			return nil, bad
		}
	}
	if uint64(len(out)-1) != dstSize {
		return nil, bad
	}
	return out, nil
}
