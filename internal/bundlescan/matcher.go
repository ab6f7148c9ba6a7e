package bundlescan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// matcher finds every occurrence of many patterns, each at least 8 bytes
// long, in one pass. At each position it hashes the next 8 bytes into a bit
// set; only on a hit does it look the 8 bytes up and compare the
// candidates. The bit set has at least 64 bits per pattern (from 32 KiB,
// which fits in L1 cache, for fewer than 4,096 patterns, to 1 MiB), so that
// fewer than 2% of positions go past it whether the scan set holds 50
// values or the 5,000 of a whole store; the pass costs about one multiply
// and one load per byte, which measured faster here than the Aho-Corasick
// automata of the libraries tried (see docs/benchmarks.md).
type matcher struct {
	pats   []pattern
	filter []uint64
	shift  uint // 64 - log2(bits in filter)
	table  map[uint64][]int32
	maxLen int
}

const (
	minFilterBits = 18 // 32 KiB
	maxFilterBits = 23 // 1 MiB
	hashMul       = 0x9E3779B97F4A7C15
)

// filterBits is log2 of the bit set's size for n patterns: 64 bits or more
// per pattern, within [minFilterBits, maxFilterBits].
func filterBits(n int) uint {
	b := uint(bits.Len(uint(n))) + 6
	return min(max(b, minFilterBits), maxFilterBits)
}

func newMatcher(pats []pattern) *matcher {
	fb := filterBits(len(pats))
	m := &matcher{pats: pats, filter: make([]uint64, 1<<fb/64), shift: 64 - fb, table: map[uint64][]int32{}, maxLen: 8}
	for i, p := range pats {
		key := binary.LittleEndian.Uint64(p.bytes)
		h := key * hashMul >> m.shift
		m.filter[h>>6] |= 1 << (h & 63)
		m.table[key] = append(m.table[key], int32(i))
		m.maxLen = max(m.maxLen, len(p.bytes))
	}
	return m
}

// scan calls found for every pattern occurring in buf, with the index of
// the pattern and the offset where it starts. A pattern that runs past the
// end of buf is not reported.
func (m *matcher) scan(buf []byte, found func(pat int32, start int)) {
	filter, shift := m.filter, m.shift&63
	mask := uint64(len(filter) - 1)
	for i := 0; i+8 <= len(buf); i++ {
		v := binary.LittleEndian.Uint64(buf[i : i+8])
		h := v * hashMul >> shift
		if filter[(h>>6)&mask]&(1<<(h&63)) == 0 {
			continue
		}
		for _, p := range m.table[v] {
			if bytes.HasPrefix(buf[i:], m.pats[p].bytes) {
				found(p, i)
			}
		}
	}
}
