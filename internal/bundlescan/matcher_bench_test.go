package bundlescan

import (
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"testing"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

// benchSecrets returns n random alphanumeric values of 16 to 48 bytes.
func benchSecrets(n int) []Secret {
	r := mrand.New(mrand.NewPCG(1, 2))
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]Secret, n)
	for i := range out {
		v := make([]byte, 16+r.IntN(33))
		for j := range v {
			v[j] = alnum[r.IntN(len(alnum))]
		}
		out[i] = Secret{ID: fmt.Sprintf("bench/S%d", i), Value: v}
	}
	return out
}

// benchData is 4 MiB of text-like bytes (random printable ASCII with line
// breaks), the worst realistic case for a byte filter on text.
func benchData() []byte {
	data := make([]byte, 4<<20)
	_, _ = rand.Read(data)
	for i := range data {
		data[i] = 32 + data[i]%95
		if i%80 == 79 {
			data[i] = '\n'
		}
	}
	return data
}

func allPatterns(secrets []Secret) []pattern {
	var pats []pattern
	for i, s := range secrets {
		pats = append(pats, patterns(s.Value, i)...)
	}
	return pats
}

// BenchmarkMatcher compares our matcher with an Aho-Corasick library on 50
// secrets in every encoding, one core.
func BenchmarkMatcher(b *testing.B) {
	pats := allPatterns(benchSecrets(50))
	data := benchData()
	b.Run("filter", func(b *testing.B) {
		m := newMatcher(pats)
		b.SetBytes(int64(len(data)))
		n := 0
		for b.Loop() {
			m.scan(data, func(int32, int) { n++ })
		}
	})
	b.Run("BobuSumisu-aho-corasick", func(b *testing.B) {
		tb := ahocorasick.NewTrieBuilder()
		for _, p := range pats {
			tb.AddPattern(p.bytes)
		}
		tr := tb.Build()
		b.SetBytes(int64(len(data)))
		n := 0
		for b.Loop() {
			tr.Walk(data, func(end, l, pat int64) bool { n++; return true })
		}
	})
}

// BenchmarkMatcherValues is the matcher on one core with 50 values and with
// the 5,000 of a whole store's scan set (verify-bundle's default scope), in
// every encoding.
func BenchmarkMatcherValues(b *testing.B) {
	data := benchData()
	for _, n := range []int{50, 5000} {
		pats := allPatterns(benchSecrets(n))
		b.Run(fmt.Sprintf("values=%d/patterns=%d", n, len(pats)), func(b *testing.B) {
			m := newMatcher(pats)
			b.SetBytes(int64(len(data)))
			found := 0
			for b.Loop() {
				m.scan(data, func(int32, int) { found++ })
			}
		})
	}
}
