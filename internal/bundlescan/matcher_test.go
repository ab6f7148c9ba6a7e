package bundlescan

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFilterBits(t *testing.T) {
	for n, want := range map[int]uint{0: 18, 350: 18, 4095: 18, 4096: 19, 34996: 22, 1 << 20: 23} {
		assert.Equal(t, want, filterBits(n), "%d patterns", n)
	}
}

// test that with the large bit set of a whole store's 5,000 values every
// planted value is found, in every encoding, and nothing else.
func TestMatcherManyValues(t *testing.T) {
	secrets := benchSecrets(5000)
	pats := allPatterns(secrets)
	m := newMatcher(pats)
	assert.Len(t, m.filter, 1<<22/64)
	planted := map[int32]bool{}
	var data bytes.Buffer
	for i := 0; i < len(pats); i += 997 {
		data.WriteString("\n-- ")
		data.Write(pats[i].bytes)
		planted[int32(i)] = true
	}
	found := map[int32]bool{}
	m.scan(data.Bytes(), func(p int32, _ int) { found[p] = true })
	for p := range planted {
		assert.True(t, found[p], "pattern %d (%s of %s)", p, pats[p].encoding, secrets[pats[p].secret].ID)
	}
	for p := range found {
		assert.True(t, planted[p] || bytes.Contains(data.Bytes(), pats[p].bytes), "pattern %d found but absent", p)
	}
}
