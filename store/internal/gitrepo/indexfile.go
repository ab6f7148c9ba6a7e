package gitrepo

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// git's index file (.git/index), versions 2, 3 and 4, as gitformat-index(5)
// describes it, read and written by a codec of its own: go-git's decoder and
// encoder go through reflection for every field of every entry, which cost
// ~28 ms per commit for the 10,000 ledger files of a long-lived store (see
// docs/benchmarks.md). Entries are kept as their stored bytes, so every bit
// git wrote (assume-valid, skip-worktree, intent-to-add, stat data) survives
// a rewrite untouched, and only the entries of changed paths are built anew.
//
// Optional extensions (an upper-case first letter: the cache tree TREE,
// REUC, UNTR, FSMN, EOIE, IEOT…) are caches or hints that git rebuilds; they
// are dropped on write, because after a change they would describe the old
// entries. Mandatory ones (the split index "link", the sparse index "sdir",
// anything unknown) are refused, as their meaning changes how the entries
// must be read.

const (
	indexSignature  = "DIRC"
	indexHeaderLen  = 12
	indexEntryFixed = 62 // stat data (40 bytes), object id (20), flags (2)
	indexFlagExt    = 0x4000
	indexFlagStage  = 0x3000
	indexFlagName   = 0x0fff
	indexExtITA     = 0x2000 // intent-to-add, in the extended flags
)

// errIndexFormat marks an index file this codec cannot read.
var errIndexFormat = errors.New("malformed index file")

// An indexFile is a decoded index: its version and its entries, sorted by
// name and stage as git keeps them.
type indexFile struct {
	version uint32
	entries []indexRecord
}

// An indexRecord is one index entry: its fixed part as stored (stat data,
// object id, flags and, in versions 3 and 4, extended flags) and its path.
type indexRecord struct {
	fixed []byte
	name  []byte
}

func (e indexRecord) flags() uint16 { return binary.BigEndian.Uint16(e.fixed[60:62]) }

// stage is 0 for a normal entry, 1–3 for the sides of a conflict.
func (e indexRecord) stage() int { return int(e.flags()&indexFlagStage) >> 12 }

// hash is the entry's object id.
func (e indexRecord) hash() plumbing.Hash {
	var h plumbing.Hash
	copy(h[:], e.fixed[40:60])
	return h
}

// intentToAdd reports the entry of a path added with git add -N.
func (e indexRecord) intentToAdd() bool {
	return len(e.fixed) > indexEntryFixed && binary.BigEndian.Uint16(e.fixed[62:64])&indexExtITA != 0
}

// compareRecords orders entries as git does: by path bytes, then stage.
func compareRecords(a, b indexRecord) int {
	if c := bytes.Compare(a.name, b.name); c != 0 {
		return c
	}
	return a.stage() - b.stage()
}

// newIndexRecord builds the stage-0 entry of a file just written.
func newIndexRecord(e *index.Entry) indexRecord {
	f := make([]byte, indexEntryFixed)
	be := binary.BigEndian
	be.PutUint32(f[0:], uint32(e.CreatedAt.Unix()))
	be.PutUint32(f[4:], uint32(e.CreatedAt.Nanosecond()))
	be.PutUint32(f[8:], uint32(e.ModifiedAt.Unix()))
	be.PutUint32(f[12:], uint32(e.ModifiedAt.Nanosecond()))
	be.PutUint32(f[16:], e.Dev)
	be.PutUint32(f[20:], e.Inode)
	be.PutUint32(f[24:], uint32(e.Mode))
	be.PutUint32(f[28:], e.UID)
	be.PutUint32(f[32:], e.GID)
	be.PutUint32(f[36:], e.Size)
	copy(f[40:60], e.Hash[:])
	be.PutUint16(f[60:], uint16(min(len(e.Name), indexFlagName)))
	return indexRecord{fixed: f, name: []byte(e.Name)}
}

// parseIndex decodes an index file. It checks the trailing checksum, the
// entries' bounds and order, and refuses mandatory extensions.
func parseIndex(data []byte) (*indexFile, error) {
	if len(data) < indexHeaderLen+sha1.Size || string(data[:4]) != indexSignature {
		return nil, fmt.Errorf("%w: no index signature", errIndexFormat)
	}
	body := data[:len(data)-sha1.Size]
	// An all-zero trailer is git's index.skipHash (the default with
	// feature.manyFiles since git 2.40): git does not verify it, nor do we.
	// The index this codec writes always carries the real checksum.
	if trailer := data[len(body):]; [sha1.Size]byte(trailer) != [sha1.Size]byte{} {
		if sum := sha1.Sum(body); !bytes.Equal(sum[:], trailer) {
			return nil, fmt.Errorf("%w: checksum mismatch", errIndexFormat)
		}
	}
	x := &indexFile{version: binary.BigEndian.Uint32(data[4:8])}
	if x.version < 2 || x.version > 4 {
		return nil, fmt.Errorf("%w: unsupported version %d", errIndexFormat, x.version)
	}
	count := binary.BigEndian.Uint32(data[8:12])
	if uint64(count) > uint64(len(body))/indexEntryFixed {
		return nil, fmt.Errorf("%w: %d entries cannot fit", errIndexFormat, count)
	}
	x.entries = make([]indexRecord, 0, count)
	pos := indexHeaderLen
	var prev []byte
	var bad error // reported after the extensions: a split index explains it
	for i := uint32(0); i < count; i++ {
		e, next, err := x.parseEntry(body, pos, prev)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", errIndexFormat, i, err)
		}
		n := len(x.entries)
		switch {
		case bad != nil:
		case len(e.name) == 0:
			bad = fmt.Errorf("%w: entry %d has no name", errIndexFormat, i)
		case n > 0 && compareRecords(x.entries[n-1], e) >= 0:
			bad = fmt.Errorf("%w: entry %q is out of order", errIndexFormat, e.name)
		}
		x.entries = append(x.entries, e)
		prev, pos = e.name, next
	}
	if err := checkExtensions(body[pos:]); err != nil {
		return nil, err
	}
	if bad != nil {
		return nil, bad
	}
	return x, nil
}

// parseEntry decodes the entry at pos and returns where the next one starts.
func (x *indexFile) parseEntry(body []byte, pos int, prev []byte) (indexRecord, int, error) {
	if len(body)-pos < indexEntryFixed {
		return indexRecord{}, 0, errors.New("truncated")
	}
	flags := binary.BigEndian.Uint16(body[pos+60:])
	n := indexEntryFixed
	if flags&indexFlagExt != 0 {
		if x.version < 3 {
			return indexRecord{}, 0, errors.New("extended flags in a version 2 index")
		}
		n += 2
	}
	if len(body)-pos < n {
		return indexRecord{}, 0, errors.New("truncated")
	}
	e := indexRecord{fixed: body[pos : pos+n : pos+n]}
	var end int
	var err error
	if x.version == 4 {
		e.name, end, err = parseNameV4(body, pos+n, prev)
	} else {
		e.name, end, err = parseName(body, pos, n, flags)
	}
	if err != nil {
		return indexRecord{}, 0, err
	}
	if int(flags&indexFlagName) < indexFlagName && int(flags&indexFlagName) != len(e.name) {
		return indexRecord{}, 0, fmt.Errorf("name length does not match its flags")
	}
	return e, end, nil
}

// parseName reads a version 2 or 3 path: NUL-terminated, the entry padded
// with NULs to a multiple of 8 bytes.
func parseName(body []byte, pos, fixed int, flags uint16) ([]byte, int, error) {
	start := pos + fixed
	nul := bytes.IndexByte(body[start:], 0)
	if nul < 0 {
		return nil, 0, errors.New("unterminated name")
	}
	end := pos + (fixed+nul+8)&^7
	if end > len(body) {
		return nil, 0, errors.New("truncated")
	}
	return body[start : start+nul : start+nul], end, nil
}

// parseNameV4 reads a version 4 path: how many bytes to strip from the end
// of the previous path, then the NUL-terminated suffix; no padding.
func parseNameV4(body []byte, pos int, prev []byte) ([]byte, int, error) {
	strip, n := decodeOffsetVarint(body[pos:])
	if n == 0 || strip > uint64(len(prev)) {
		return nil, 0, errors.New("bad name prefix length")
	}
	pos += n
	nul := bytes.IndexByte(body[pos:], 0)
	if nul < 0 {
		return nil, 0, errors.New("unterminated name")
	}
	keep := len(prev) - int(strip)
	name := make([]byte, keep+nul)
	copy(name, prev[:keep])
	copy(name[keep:], body[pos:pos+nul])
	return name, pos + nul + 1, nil
}

// checkExtensions walks the extensions after the entries, refusing the
// mandatory ones (a lower-case first letter of the signature).
func checkExtensions(b []byte) error {
	for len(b) > 0 {
		if len(b) < 8 {
			return fmt.Errorf("%w: truncated extension", errIndexFormat)
		}
		sig, size := string(b[:4]), binary.BigEndian.Uint32(b[4:8])
		if uint64(size) > uint64(len(b)-8) {
			return fmt.Errorf("%w: extension %q overruns the file", errIndexFormat, sig)
		}
		switch {
		case sig == "link":
			return errors.New("the index is a split index (core.splitIndex): run git update-index --no-split-index first")
		case sig == "sdir":
			return errors.New("the index is a sparse index: run git sparse-checkout disable or git config index.sparse false first")
		case sig[0] < 'A' || sig[0] > 'Z':
			return fmt.Errorf("%w: unknown mandatory extension %q", errIndexFormat, sig)
		}
		b = b[8+size:]
	}
	return nil
}

// encode writes the index file: header, entries, no extensions, checksum.
func (x *indexFile) encode() []byte {
	size := indexHeaderLen + sha1.Size
	for _, e := range x.entries {
		size += len(e.fixed) + len(e.name) + 8
	}
	b := make([]byte, 0, size)
	b = append(b, indexSignature...)
	b = binary.BigEndian.AppendUint32(b, x.version)
	b = binary.BigEndian.AppendUint32(b, uint32(len(x.entries)))
	var prev []byte
	for _, e := range x.entries {
		b = append(b, e.fixed...)
		if x.version == 4 {
			common := commonPrefix(prev, e.name)
			b = appendOffsetVarint(b, uint64(len(prev)-common))
			b = append(b, e.name[common:]...)
			b = append(b, 0)
			prev = e.name
			continue
		}
		b = append(b, e.name...)
		pad := 8 - (len(e.fixed)+len(e.name))%8
		b = append(b, make([]byte, pad)...)
	}
	sum := sha1.Sum(b)
	return append(b, sum[:]...)
}

// replace drops every entry of the touched paths and inserts the non-nil
// new ones in order.
func (x *indexFile) replace(touched map[string]*index.Entry) {
	x.entries = slices.DeleteFunc(x.entries, func(e indexRecord) bool {
		_, ok := touched[string(e.name)]
		return ok
	})
	for _, e := range touched {
		if e == nil {
			continue
		}
		r := newIndexRecord(e)
		i, _ := slices.BinarySearchFunc(x.entries, r, compareRecords)
		x.entries = slices.Insert(x.entries, i, r)
	}
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// decodeOffsetVarint reads git's offset varint (varint.c: each
// continuation adds one before shifting); n is 0 on a bad encoding.
func decodeOffsetVarint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	v = uint64(c & 0x7f)
	n = 1
	for c&0x80 != 0 {
		v++
		if n >= len(b) || v > 1<<56 {
			return 0, 0
		}
		c = b[n]
		n++
		v = v<<7 + uint64(c&0x7f)
	}
	return v, n
}

// appendOffsetVarint appends v in git's offset varint encoding.
func appendOffsetVarint(b []byte, v uint64) []byte {
	var buf [16]byte
	i := len(buf) - 1
	buf[i] = byte(v & 0x7f)
	for v >>= 7; v != 0; v >>= 7 {
		v--
		i--
		buf[i] = 0x80 | byte(v&0x7f)
	}
	return append(b, buf[i:]...)
}
