package bundlescan

import (
	"archive/zip"
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// zipLayout is where a zip's parts lie, from archive/zip's File.DataOffset
// and the central directory's own offsets (which archive/zip reads but does
// not export): it lets the scan refuse overlapping entries before
// decompressing anything, and name the part of the file a value is in.
type zipLayout struct {
	entries  []zipEntrySpan // in zr.File order
	dirStart int64          // the central directory's first record
	dirEnd   int64          // after its last record
	end      int64          // the end-of-central-directory record (zip64 ones first)
	eocd     int64          // the end-of-central-directory record itself
}

type zipEntrySpan struct {
	header, data, dataEnd int64 // local header, compressed data, its end
	record                int64 // central directory record
}

const (
	sigLocal  = 0x04034b50
	sigDir    = 0x02014b50
	sigEnd    = 0x06054b50
	sigEnd64  = 0x06064b50
	sigLoc64  = 0x07064b50
	dirRecLen = 46
)

func readZipLayout(ra io.ReaderAt, size int64, zr *zip.Reader) (*zipLayout, error) {
	l := &zipLayout{}
	var err error
	if l.eocd, err = findEOCD(ra, size); err != nil {
		return nil, err
	}
	var rec [22]byte
	if _, err := ra.ReadAt(rec[:], l.eocd); err != nil {
		return nil, err
	}
	dirSize, dirOff := int64(binary.LittleEndian.Uint32(rec[12:])), int64(binary.LittleEndian.Uint32(rec[16:]))
	l.end = l.eocd
	if binary.LittleEndian.Uint16(rec[10:]) == 0xffff || dirSize == 0xffff || dirOff == 0xffffffff {
		if p, s, o, ok := readEnd64(ra, l.eocd); ok {
			l.end, dirSize, dirOff = p, s, o
		}
	}
	base := l.end - dirSize - dirOff
	if base > 0 && sigAt(ra, dirOff, sigDir) {
		base = 0 // as archive/zip does for a wrong base offset
	}
	l.dirStart = base + dirOff
	if err := l.readRecords(ra, zr, base); err != nil {
		return nil, err
	}
	return l, nil
}

// readRecords walks the central directory's records for the local header
// offsets, and asks archive/zip where each entry's data starts.
func (l *zipLayout) readRecords(ra io.ReaderAt, zr *zip.Reader, base int64) error {
	br := bufio.NewReader(io.NewSectionReader(ra, l.dirStart, max(l.end-l.dirStart, 0)))
	pos := l.dirStart
	var rec [dirRecLen]byte
	for _, f := range zr.File {
		if _, err := io.ReadFull(br, rec[:]); err != nil || binary.LittleEndian.Uint32(rec[:]) != sigDir {
			return fmt.Errorf("central directory record not where the end record says")
		}
		varLen := len(f.Name) + len(f.Extra) + len(f.Comment)
		if _, err := br.Discard(varLen); err != nil {
			return fmt.Errorf("central directory runs into its end record")
		}
		header := base + zip64Offset(rec[:], f.Extra)
		data, err := f.DataOffset()
		if err != nil {
			return fmt.Errorf("entry %d: %v", len(l.entries)+1, err)
		}
		dataEnd := data + int64(min(f.CompressedSize64, 1<<62))
		l.entries = append(l.entries, zipEntrySpan{header: header, data: data, dataEnd: dataEnd, record: pos})
		pos += dirRecLen + int64(varLen)
	}
	l.dirEnd = pos
	return nil
}

// zip64Offset is a record's local header offset, from the zip64 extra
// field when the record's own field is saturated.
func zip64Offset(rec, extra []byte) int64 {
	off := int64(binary.LittleEndian.Uint32(rec[42:]))
	if off != 0xffffffff {
		return off
	}
	for len(extra) >= 4 {
		tag, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if len(extra) < 4+n {
			break
		}
		if tag == 1 {
			skip := 0
			for _, at := range []int{24, 20} { // uncompressed, compressed size
				if binary.LittleEndian.Uint32(rec[at:]) == 0xffffffff {
					skip += 8
				}
			}
			if n >= skip+8 {
				return int64(binary.LittleEndian.Uint64(extra[4+skip:]))
			}
		}
		extra = extra[4+n:]
	}
	return off
}

// findEOCD finds the end-of-central-directory record as archive/zip does:
// the last signature whose comment fits in the file.
func findEOCD(ra io.ReaderAt, size int64) (int64, error) {
	n := min(size, 65*1024)
	buf := make([]byte, n)
	if _, err := ra.ReadAt(buf, size-n); err != nil && err != io.EOF {
		return 0, err
	}
	for i := len(buf) - 22; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == sigEnd && i+22+int(binary.LittleEndian.Uint16(buf[i+20:])) <= len(buf) {
			return size - n + int64(i), nil
		}
	}
	return 0, fmt.Errorf("no end of central directory")
}

func readEnd64(ra io.ReaderAt, eocd int64) (pos, dirSize, dirOff int64, ok bool) {
	var loc [20]byte
	if eocd < 20 {
		return 0, 0, 0, false
	}
	if _, err := ra.ReadAt(loc[:], eocd-20); err != nil || binary.LittleEndian.Uint32(loc[:]) != sigLoc64 {
		return 0, 0, 0, false
	}
	p := int64(binary.LittleEndian.Uint64(loc[8:]))
	var rec [56]byte
	if _, err := ra.ReadAt(rec[:], p); err != nil || binary.LittleEndian.Uint32(rec[:]) != sigEnd64 || p < 0 || p > eocd {
		return 0, 0, 0, false
	}
	return p, int64(binary.LittleEndian.Uint64(rec[40:])), int64(binary.LittleEndian.Uint64(rec[48:])), true
}

func sigAt(ra io.ReaderAt, off int64, sig uint32) bool {
	var b [4]byte
	_, err := ra.ReadAt(b[:], off)
	return err == nil && binary.LittleEndian.Uint32(b[:]) == sig
}

// overlap returns the indexes of two entries whose local header and data
// overlap, or of an entry that runs into the central directory or past
// the file (i == j): many entries sharing one deflate stream is how a
// small zip expands to gigabytes.
func (l *zipLayout) overlap(size int64) (i, j int, found bool) {
	order := make([]int, len(l.entries))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(l.entries[a].header, l.entries[b].header) })
	for k, e := range order {
		s := l.entries[e]
		if s.header < 0 || s.data < s.header+30 || s.dataEnd > l.dirStart || s.dataEnd > size || s.dataEnd < s.data {
			return e, e, true
		}
		if k > 0 && s.header < l.entries[order[k-1]].dataEnd {
			return order[k-1], e, true
		}
	}
	if l.dirEnd > l.end || l.dirStart < 0 {
		return -1, -1, true
	}
	return 0, 0, false
}
