package hooks

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/store"
)

const draws = 1_000_000

// chiSquare is Pearson's statistic of the counts against a uniform
// distribution over the alphabet.
func chiSquare(counts map[rune]int, alphabet []rune, total int) float64 {
	expected := float64(total) / float64(len(alphabet))
	var x2 float64
	for _, r := range alphabet {
		d := float64(counts[r]) - expected
		x2 += d * d / expected
	}
	return x2
}

// critical is the chi-square value exceeded with probability 1e-4 under
// uniformity, by the Wilson–Hilferty approximation.
func critical(df int) float64 {
	const z = 3.719 // the 1 - 1e-4 quantile of the standard normal
	k := float64(df)
	return k * math.Pow(1-2/(9*k)+z*math.Sqrt(2/(9*k)), 3)
}

// countDraws runs a generator until it has produced draws characters and
// counts each; a character outside the alphabet fails the test.
func countDraws(t *testing.T, g store.Generator, alphabet []rune, r io.Reader) map[rune]int {
	counts := map[rune]int{}
	for n := 0; n < draws; {
		v, err := Generate(g, nil, Options{Rand: r})
		require.NoError(t, err)
		for _, c := range v {
			counts[c]++
			n++
		}
	}
	for c := range counts {
		require.Contains(t, alphabet, c)
	}
	return counts
}

func manyRunes(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteRune(rune(0x100 + i))
	}
	return b.String()
}

// TestUniform draws 10^6 characters from random (several charset sizes,
// including alphabets of 200 and 300 characters where modulo bias would be
// largest) and from password, and checks every character of the alphabet
// is equally likely with a chi-square test at p = 1e-4. The stream is
// seeded so the test is deterministic.
func TestUniform(t *testing.T) {
	for _, tc := range []struct {
		name string
		gen  store.Generator
	}{
		{"random alnum", store.Generator{Type: "random", Length: 1000, Charset: "alnum"}},
		{"random digits", store.Generator{Type: "random", Length: 1000, Charset: "digits"}},
		{"random base64", store.Generator{Type: "random", Length: 1000, Charset: "base64"}},
		{"random 200 runes", store.Generator{Type: "random", Length: 1000, Alphabet: manyRunes(200)}},
		{"random 300 runes", store.Generator{Type: "random", Length: 1000, Alphabet: manyRunes(300)}},
		// Passwords missing a class are drawn again; at length 64 that
		// happens for ~1 in 1,300 passwords, too rarely to tilt the counts.
		{"password", store.Generator{Type: "password", Length: 64}},
		{"password two classes", store.Generator{Type: "password", Length: 64, Classes: []string{"digits", "symbols"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alphabet := []rune(Alphabet(tc.gen))
			counts := countDraws(t, tc.gen, alphabet, fixedRand(42))
			assert.Len(t, counts, len(alphabet), "every character drawn")
			x2 := chiSquare(counts, alphabet, sumCounts(counts))
			t.Logf("chi-square %.1f, critical %.1f, df %d", x2, critical(len(alphabet)-1), len(alphabet)-1)
			assert.Less(t, x2, critical(len(alphabet)-1), "chi-square with %d degrees of freedom", len(alphabet)-1)
		})
	}
}

// TestUniformDetectsModuloBias is the test's power check, through the
// same production path TestUniform uses (Generate, Alphabet, the sampler):
// a source whose bytes are reduced modulo 200 makes the sampler, which
// keeps every byte under 200, draw exactly what a sampler reducing bytes
// modulo 200 would, and the statistic rejects it.
func TestUniformDetectsModuloBias(t *testing.T) {
	g := store.Generator{Type: "random", Length: 1000, Alphabet: manyRunes(200)}
	alphabet := []rune(Alphabet(g))
	counts := countDraws(t, g, alphabet, moduloReader{fixedRand(42), 200})
	x2 := chiSquare(counts, alphabet, sumCounts(counts))
	t.Logf("chi-square %.1f, critical %.1f", x2, critical(len(alphabet)-1))
	assert.Greater(t, x2, critical(len(alphabet)-1))
}

// moduloReader reduces every byte it reads modulo n.
type moduloReader struct {
	r io.Reader
	n byte
}

func (m moduloReader) Read(p []byte) (int, error) {
	k, err := m.r.Read(p)
	for i := range p[:k] {
		p[i] %= m.n
	}
	return k, err
}

func sumCounts(counts map[rune]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
