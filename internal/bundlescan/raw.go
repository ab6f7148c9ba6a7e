package bundlescan

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"sort"
)

// rawScan looks for values in an archive's own bytes, as stored: headers,
// names, extra fields, comments, padding, trailing data and bytes no index
// references. It is an io.Writer fed the archive's bytes in order (a tee
// of the stream the archive reader consumes) or, for a zip, read at random.
//
// Spans registered with skip are entry contents that are scanned on their
// own: only their first and last maxLen-1 bytes are looked at, so that a
// value running across an entry's edge is still found, and the rest costs
// nothing. Hits are attributed to regions by [worker.attribute].
type rawScan struct {
	m     *matcher
	buf   []byte
	kept  int   // bytes at buf's start carried over from the last feed
	end   int64 // offset just after the last byte fed
	pos   int64 // offset of the next byte written
	skips []span
	hits  []rawHit
}

type span struct{ start, end int64 }

type rawHit struct {
	pat int32
	off int64
}

const rawChunk = 32 << 10

func newRawScan(m *matcher) *rawScan {
	return &rawScan{m: m, buf: make([]byte, m.maxLen+rawChunk)}
}

// skip marks [start, end) as an entry's content, scanned on its own. Spans
// must come in order and before their bytes are written.
func (r *rawScan) skip(start, end int64) {
	if keep := int64(r.m.maxLen - 1); end-start > 2*keep {
		r.skips = append(r.skips, span{start + keep, end - keep})
	}
}

// Write scans p, the bytes at r.pos onwards, except the inside of spans.
func (r *rawScan) Write(p []byte) (int, error) {
	n := len(p)
	at := r.pos
	r.pos += int64(n)
	for len(p) > 0 {
		for len(r.skips) > 0 && r.skips[0].end <= at {
			r.skips = r.skips[1:]
		}
		if len(r.skips) == 0 {
			r.feed(p, at)
			break
		}
		s := r.skips[0]
		if at < s.start {
			k := min(int64(len(p)), s.start-at)
			r.feed(p[:k], at)
			p, at = p[k:], at+k
			continue
		}
		k := min(int64(len(p)), s.end-at)
		p, at = p[k:], at+k
	}
	return n, nil
}

// feed scans p, the bytes at offset at, after the bytes carried over when
// they are contiguous.
func (r *rawScan) feed(p []byte, at int64) {
	if at != r.end {
		r.kept = 0
	}
	keep := r.m.maxLen - 1
	for len(p) > 0 {
		n := min(len(p), rawChunk)
		copy(r.buf[r.kept:], p[:n])
		w := r.kept + n
		base := at - int64(r.kept)
		kept := r.kept
		r.m.scan(r.buf[:w], func(pi int32, s int) {
			if s+len(r.m.pats[pi].bytes) > kept {
				r.hits = append(r.hits, rawHit{pat: pi, off: base + int64(s)})
			}
		})
		carry := min(keep, w)
		copy(r.buf, r.buf[w-carry:w])
		r.kept = carry
		p, at = p[n:], at+int64(n)
	}
	r.end = at
}

// A region is a part of an archive's own bytes that a finding names.
type region struct {
	start, end int64
	// place is the finding's File for a value here ("app.zip!<comment>").
	place string
	// content marks an entry's content scanned on its own: a value wholly
	// inside it is already reported there.
	content bool
	// seen, when set, holds the secrets (see secretKey) found in the
	// content that the region's bytes decompress to: a value in compressed
	// data that the content also holds is not reported twice.
	seen map[string]bool
	// fields, when set, name the place of a value by the header field
	// holding it (a tar header, whose layout archive/tar does not expose).
	fields []field
}

type field struct {
	text, place string
}

// secretKey identifies a secret's value in a finding.
func secretKey(id, deployment string) string { return id + "\x00" + deployment }

// seenSince returns the secrets of the findings recorded since the worker
// had before findings.
func (w *worker) seenSince(before int) map[string]bool {
	seen := map[string]bool{}
	for _, f := range w.findings[before:] {
		if f.Rule == RuleValue {
			seen[secretKey(f.Secret, f.Deployment)] = true
		}
	}
	return seen
}

// attribute reports the raw hits of an archive by the region they start
// in; fallback names a hit in no region.
func (w *worker) attribute(hits []rawHit, regions []region, fallback string) {
	regions = slices.DeleteFunc(regions, func(r region) bool { return r.end <= r.start })
	slices.SortStableFunc(regions, func(a, b region) int { return cmp.Compare(a.start, b.start) })
	for i := range len(regions) - 1 {
		regions[i].end = min(regions[i].end, regions[i+1].start)
	}
	for _, h := range hits {
		pat := &w.sc.m.pats[h.pat]
		end := h.off + int64(len(pat.bytes))
		place := fallback
		// the last region starting at or before the hit
		i := sort.Search(len(regions), func(i int) bool { return regions[i].start > h.off }) - 1
		if i >= 0 && h.off < regions[i].end {
			r := &regions[i]
			s := &w.sc.secrets[pat.secret]
			if r.content && end <= r.end || r.seen[secretKey(s.ID, s.Deployment)] {
				continue
			}
			place = r.place
			for _, f := range r.fields {
				if bytes.Contains([]byte(f.text), pat.bytes) {
					place = f.place
					break
				}
			}
		}
		w.value(place, h.pat, h.off)
	}
}

// safeName is entryName, but an entry whose name itself holds a value is
// named by its position ("app.zip!/<entry 3>"), so that no finding or
// error carries the value.
func (w *worker) safeName(archive, name string, n int) (string, bool) {
	entry, ok := entryName(archive, name)
	leak := false
	w.sc.m.scan([]byte(name), func(int32, int) { leak = true })
	if leak {
		return fmt.Sprintf("%s!/<entry %d>", archive, n), ok
	}
	return entry, ok
}
