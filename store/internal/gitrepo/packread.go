package gitrepo

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// A packSet reads blobs from the repository's pack files by way of their
// .idx files (gitformat-pack(5), index version 2): a binary search in the
// object names, then the object at its offset, deltas resolved against
// their bases in the same pack. go-git's storage builds a map from offset
// to object id over the whole pack the first time it reads a packed object
// (60,000 entries for a 10,000-event ledger, ~7 ms per process) and decodes
// the whole .idx into slices; this reader needs neither. Every object it
// returns is checked against its id. What it cannot read (loose objects, an
// old .idx format, a delta whose base is elsewhere) is left to go-git.
//
// The caller holds Repo.mu.
type packSet struct {
	dir     string // objects/pack
	scanned time.Time
	packs   []*packFile
}

// errNotInPacks says the object is not in a pack this reader handles.
var errNotInPacks = errors.New("not in the pack files")

// maxDeltaChain bounds the deltas followed for one object (git's own limit
// for pack-objects --depth is 4095), so a corrupt pack cannot loop.
const maxDeltaChain = 5000

// A packFile is one pack: its .idx file in memory, the pack opened on
// first use.
type packFile struct {
	name  string // path of the .pack
	idx   []byte
	count int
	pack  *os.File
	size  int64

	// cache holds objects read, by offset, so that reading many objects
	// of one delta chain (git fast-import and repack make chains of up to
	// 50) inflates each link once, as git's delta base cache does.
	cache      map[int64]cachedObject
	cacheBytes int

	br *bufio.Reader // reused for every inflate
	zr io.ReadCloser
}

type cachedObject struct {
	t    plumbing.ObjectType
	data []byte
}

// maxPackCache bounds the bytes a packFile's cache holds: git's default
// core.deltaBaseCacheLimit, and go-git's default object cache.
const maxPackCache = 96 << 20

// readBlob returns a copy of a blob's content, or errNotInPacks.
func (s *packSet) readBlob(h plumbing.Hash) ([]byte, error) {
	t, data, err := s.readObject(h)
	if err != nil {
		return nil, err
	}
	if t != plumbing.BlobObject {
		return nil, fmt.Errorf("read %s: it is a %s, not a blob", h, t)
	}
	return bytes.Clone(data), nil
}

// readObject returns an object of any type from the packs, checked against
// its id, or errNotInPacks; on a miss it re-reads the pack list once if the
// pack directory changed. The content is shared with the pack cache: do not
// modify it.
func (s *packSet) readObject(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	t, data, err := s.readObjectFrom(h)
	if !errors.Is(err, errNotInPacks) {
		return t, data, err
	}
	if changed, err := s.refresh(); err != nil || !changed {
		return plumbing.InvalidObject, nil, errors.Join(errNotInPacks, err)
	}
	return s.readObjectFrom(h)
}

// readObjectFrom reads an object from the packs as last listed.
func (s *packSet) readObjectFrom(h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	for _, p := range s.packs {
		off, ok := p.find(h)
		if !ok {
			continue
		}
		t, data, err := p.read(off, 0)
		if errors.Is(err, fs.ErrNotExist) { // removed by git gc since the scan
			s.scanned = time.Time{}
			continue
		}
		if errors.Is(err, errNotInPacks) {
			return plumbing.InvalidObject, nil, err
		}
		if err != nil {
			return plumbing.InvalidObject, nil, fmt.Errorf("read %s from %s: %w", h, filepath.Base(p.name), err)
		}
		if objectID(t, data) != h {
			return plumbing.InvalidObject, nil, fmt.Errorf("read %s from %s: content does not match the object id", h, filepath.Base(p.name))
		}
		return t, data, nil
	}
	return plumbing.InvalidObject, nil, errNotInPacks
}

// objectID computes an object's id. Plain SHA-1 suffices to check that the
// pack holds what its index promises (go-git's ComputeHash uses the slower
// collision-detecting variant).
func objectID(t plumbing.ObjectType, data []byte) plumbing.Hash {
	h := sha1.New()
	h.Write(fmt.Appendf(nil, "%s %d\x00", t, len(data)))
	h.Write(data)
	var id plumbing.Hash
	h.Sum(id[:0])
	return id
}

// refresh (re)reads the list of packs when the pack directory changed
// since the last scan, and says whether it did.
func (s *packSet) refresh() (bool, error) {
	fi, err := os.Stat(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		s.packs = nil
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read pack files: %w", err)
	}
	if fi.ModTime().Equal(s.scanned) && s.scanned != (time.Time{}) {
		return false, nil
	}
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return false, fmt.Errorf("read pack files: %w", err)
	}
	old := map[string]*packFile{}
	for _, p := range s.packs {
		old[p.name] = p
	}
	s.packs = s.packs[:0]
	for _, e := range ents {
		base, ok := strings.CutSuffix(e.Name(), ".idx")
		if !ok {
			continue
		}
		name := filepath.Join(s.dir, base+".pack")
		if p := old[name]; p != nil {
			s.packs = append(s.packs, p)
			continue
		}
		if p := openPackIndex(filepath.Join(s.dir, e.Name()), name); p != nil {
			s.packs = append(s.packs, p)
		}
	}
	s.scanned = fi.ModTime()
	return true, nil
}

// openPackIndex reads a version 2 .idx file; nil when it is missing or in
// another format (go-git then reads that pack).
func openPackIndex(idxName, packName string) *packFile {
	b, release, err := mapFile(idxName)
	if err != nil {
		return nil
	}
	n := 0
	if len(b) >= 8+1024+40 && bytes.Equal(b[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		n = int(binary.BigEndian.Uint32(b[8+1020:]))
	}
	if n == 0 || n > (len(b)-1072)/28 {
		release()
		return nil
	}
	p := &packFile{name: packName, idx: b, count: n}
	runtime.AddCleanup(p, func(release func()) { release() }, release)
	return p
}

// find returns the pack offset of an object.
func (p *packFile) find(h plumbing.Hash) (int64, bool) {
	fan := func(i int) int { return int(binary.BigEndian.Uint32(p.idx[8+4*i:])) }
	lo, hi := 0, fan(int(h[0]))
	if h[0] > 0 {
		lo = fan(int(h[0]) - 1)
	}
	if hi > p.count || lo > hi {
		return 0, false
	}
	names := p.idx[1032:]
	for lo < hi {
		mid := (lo + hi) / 2
		switch c := bytes.Compare(names[mid*20:mid*20+20], h[:]); {
		case c == 0:
			return p.offset(mid)
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// offset reads the i-th object's offset, from the 64-bit table when the
// 32-bit one points there.
func (p *packFile) offset(i int) (int64, bool) {
	base := 1032 + p.count*24
	o := binary.BigEndian.Uint32(p.idx[base+4*i:])
	if o&0x80000000 == 0 {
		return int64(o), true
	}
	at := 1032 + p.count*28 + 8*int(o&0x7fffffff)
	if at+8 > len(p.idx)-40 {
		return 0, false
	}
	v := binary.BigEndian.Uint64(p.idx[at:])
	return int64(v), v <= math.MaxInt64
}

// open opens the pack file on first use.
func (p *packFile) open() error {
	if p.pack != nil {
		return nil
	}
	f, err := os.Open(p.name)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	p.pack, p.size = f, fi.Size()
	return nil
}

// read returns the type and content of the object at off; the content is
// shared with the cache and must not be modified.
func (p *packFile) read(off int64, depth int) (plumbing.ObjectType, []byte, error) {
	if c, ok := p.cache[off]; ok {
		return c.t, c.data, nil
	}
	t, data, err := p.readUncached(off, depth)
	if err == nil {
		p.remember(off, t, data)
	}
	return t, data, err
}

// remember caches an object, dropping arbitrary others to stay in bounds.
func (p *packFile) remember(off int64, t plumbing.ObjectType, data []byte) {
	if len(data) > maxPackCache/4 {
		return
	}
	if p.cache == nil {
		p.cache = map[int64]cachedObject{}
	}
	for o, c := range p.cache {
		if p.cacheBytes+len(data) <= maxPackCache {
			break
		}
		delete(p.cache, o)
		p.cacheBytes -= len(c.data)
	}
	p.cache[off] = cachedObject{t: t, data: data}
	p.cacheBytes += len(data)
}

func (p *packFile) readUncached(off int64, depth int) (plumbing.ObjectType, []byte, error) {
	if depth > maxDeltaChain {
		return 0, nil, errors.New("delta chain too long")
	}
	if err := p.open(); err != nil {
		return 0, nil, err
	}
	if off < 12 || off >= p.size-20 {
		return 0, nil, fmt.Errorf("offset %d outside the pack", off)
	}
	var hdr [32]byte
	n, err := p.pack.ReadAt(hdr[:], off)
	if n == 0 && err != nil {
		return 0, nil, err
	}
	t, size, used, ok := objectHeader(hdr[:n])
	if !ok {
		return 0, nil, fmt.Errorf("bad object header at offset %d", off)
	}
	switch t {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
		data, err := p.inflate(off+int64(used), size)
		return t, data, err
	case plumbing.OFSDeltaObject:
		rel, k, ok := deltaBaseOffset(hdr[used:n])
		if !ok || rel <= 0 || rel > off-12 {
			return 0, nil, fmt.Errorf("bad delta base at offset %d", off)
		}
		return p.readDelta(off-rel, off+int64(used+k), size, depth)
	case plumbing.REFDeltaObject:
		if n < used+20 {
			return 0, nil, fmt.Errorf("bad delta base at offset %d", off)
		}
		var base plumbing.Hash
		copy(base[:], hdr[used:used+20])
		boff, ok := p.find(base)
		if !ok {
			return 0, nil, errNotInPacks // a base in another pack: go-git's job
		}
		return p.readDelta(boff, off+int64(used+20), size, depth)
	}
	return 0, nil, fmt.Errorf("unknown object type %d at offset %d", t, off)
}

// readDelta reads the base at baseOff and applies the delta stored at at.
func (p *packFile) readDelta(baseOff, at int64, size uint64, depth int) (plumbing.ObjectType, []byte, error) {
	t, base, err := p.read(baseOff, depth+1)
	if err != nil {
		return 0, nil, err
	}
	delta, err := p.inflate(at, size)
	if err != nil {
		return 0, nil, err
	}
	data, err := applyDelta(base, delta)
	return t, data, err
}

// inflate decompresses size bytes of the zlib stream at off.
func (p *packFile) inflate(off int64, size uint64) ([]byte, error) {
	if size > uint64(p.size-off)*1100 { // deflate expands at most ~1032:1
		return nil, fmt.Errorf("object size %d at offset %d is implausible", size, off)
	}
	zr, err := p.zlib(off)
	if err != nil {
		return nil, fmt.Errorf("inflate at offset %d: %w", off, err)
	}
	if size <= 1<<26 {
		buf := make([]byte, size)
		if _, err := io.ReadFull(zr, buf); err != nil {
			return nil, fmt.Errorf("inflate at offset %d: %w", off, err)
		}
		return buf, nil
	}
	var buf bytes.Buffer // large: grow with what the stream really holds
	if _, err := io.CopyN(&buf, zr, int64(size)); err != nil {
		return nil, fmt.Errorf("inflate at offset %d: %w", off, err)
	}
	return buf.Bytes(), nil
}

// zlib returns the pack's zlib reader, reset to the stream at off.
func (p *packFile) zlib(off int64) (io.Reader, error) {
	sr := io.NewSectionReader(p.pack, off, p.size-off)
	if p.zr == nil {
		p.br = bufio.NewReaderSize(sr, 4096)
		zr, err := zlib.NewReader(p.br)
		if err != nil {
			return nil, err
		}
		p.zr = zr
		return zr, nil
	}
	p.br.Reset(sr)
	if err := p.zr.(zlib.Resetter).Reset(p.br, nil); err != nil {
		return nil, err
	}
	return p.zr, nil
}

// objectHeader parses a pack object header: type, inflated size, length.
func objectHeader(b []byte) (plumbing.ObjectType, uint64, int, bool) {
	if len(b) == 0 {
		return 0, 0, 0, false
	}
	c := b[0]
	t := plumbing.ObjectType((c >> 4) & 7)
	size := uint64(c & 15)
	shift := 4
	i := 1
	for c&0x80 != 0 {
		if i >= len(b) || shift > 57 {
			return 0, 0, 0, false
		}
		c = b[i]
		i++
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	return t, size, i, true
}

// deltaBaseOffset parses an OFS_DELTA's negative base offset (the same
// encoding as the index's version 4 path prefixes).
func deltaBaseOffset(b []byte) (int64, int, bool) {
	v, n := decodeOffsetVarint(b)
	if n == 0 || v > math.MaxInt64 {
		return 0, 0, false
	}
	return int64(v), n, true
}

// applyDelta rebuilds an object from its base and a git delta.
func applyDelta(base, delta []byte) ([]byte, error) {
	srcSize, delta, ok := deltaSize(delta)
	if !ok || srcSize != uint64(len(base)) {
		return nil, errors.New("delta does not fit its base")
	}
	dstSize, delta, ok := deltaSize(delta)
	if !ok || dstSize > uint64(len(base))+uint64(len(delta))*(1<<16) {
		return nil, errors.New("bad delta target size")
	}
	out := make([]byte, 0, dstSize)
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		switch {
		case op&0x80 != 0:
			var off, n uint64
			for i := range 7 {
				if op&(1<<i) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, errors.New("truncated delta copy")
				}
				if i < 4 {
					off |= uint64(delta[0]) << (8 * i)
				} else {
					n |= uint64(delta[0]) << (8 * (i - 4))
				}
				delta = delta[1:]
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || uint64(len(out))+n > dstSize {
				return nil, errors.New("delta copy out of range")
			}
			out = append(out, base[off:off+n]...)
		case op != 0:
			if int(op) > len(delta) || uint64(len(out))+uint64(op) > dstSize {
				return nil, errors.New("delta insert out of range")
			}
			out = append(out, delta[:op]...)
			delta = delta[op:]
		default:
			return nil, errors.New("delta opcode 0")
		}
	}
	if uint64(len(out)) != dstSize {
		return nil, errors.New("delta result has the wrong size")
	}
	return out, nil
}

// deltaSize reads one of a delta's two leading sizes (little-endian base 128).
func deltaSize(b []byte) (uint64, []byte, bool) {
	var v uint64
	for i, shift := 0, 0; i < len(b) && shift < 64; i, shift = i+1, shift+7 {
		v |= uint64(b[i]&0x7f) << shift
		if b[i]&0x80 == 0 {
			return v, b[i+1:], true
		}
	}
	return 0, nil, false
}
