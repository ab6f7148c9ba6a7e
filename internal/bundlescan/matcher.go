package bundlescan

import (
	"bytes"
	"encoding/binary"
)

// matcher finds every occurrence of many patterns, each at least 8 bytes
// long, in one pass. At each position it hashes the next 8 bytes into a
// 32 KiB bit set (it fits in L1 cache); only on a hit does it look the 8
// bytes up and compare the candidates. With a few thousand patterns fewer
// than 2% of positions go past the bit set, so the pass costs about one
// multiply and one load per byte, which measured faster here than the
// Aho-Corasick automata of the libraries tried (see docs/benchmarks.md).
type matcher struct {
	pats   []pattern
	filter *[filterWords]uint64
	table  map[uint64][]int32
	maxLen int
}

const (
	filterBits  = 18
	filterWords = 1 << filterBits / 64
	hashMul     = 0x9E3779B97F4A7C15
)

func newMatcher(pats []pattern) *matcher {
	m := &matcher{pats: pats, filter: new([filterWords]uint64), table: map[uint64][]int32{}, maxLen: 8}
	for i, p := range pats {
		key := binary.LittleEndian.Uint64(p.bytes)
		h := key * hashMul >> (64 - filterBits)
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
	filter := m.filter
	for i := 0; i+8 <= len(buf); i++ {
		v := binary.LittleEndian.Uint64(buf[i : i+8])
		h := v * hashMul >> (64 - filterBits)
		if filter[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		for _, p := range m.table[v] {
			if bytes.HasPrefix(buf[i:], m.pats[p].bytes) {
				found(p, i)
			}
		}
	}
}
