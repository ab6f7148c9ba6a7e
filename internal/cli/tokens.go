package cli

import (
	"math"
	"strings"

	"github.com/secretsctl/secretsctl/hooks"
)

// tokenBits is an upper bound on the entropy of a bearer token: its length
// times log2 of the smallest alphabet its characters fit, hex when they are
// all hex digits of one case, else the union of the classes they use
// (digits, lower, upper, and 33 other printable characters). A token under
// [hooks.MinEntropyBits] by this bound is guessable whatever made it.
func tokenBits(token string) float64 {
	runes := []rune(token)
	if isHex(token, "0123456789abcdef") || isHex(token, "0123456789ABCDEF") {
		return float64(len(runes)) * 4
	}
	size := 0
	for _, class := range []struct {
		n  int
		in func(rune) bool
	}{
		{10, func(r rune) bool { return r >= '0' && r <= '9' }},
		{26, func(r rune) bool { return r >= 'a' && r <= 'z' }},
		{26, func(r rune) bool { return r >= 'A' && r <= 'Z' }},
		{33, func(r rune) bool { return !isAlnum(r) }},
	} {
		if strings.ContainsFunc(token, class.in) {
			size += class.n
		}
	}
	if size < 2 {
		return 0
	}
	return float64(len(runes)) * math.Log2(float64(size))
}

func isHex(s, digits string) bool {
	return s != "" && strings.Trim(s, digits) == ""
}

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// checkToken refuses a bearer token of the token file under the floor,
// naming its line, never its text.
func checkToken(file string, line int, token string) error {
	if bits := tokenBits(token); bits < hooks.MinEntropyBits {
		return usagef("--token-file %s: the token on line %d carries at most %d bits of entropy; a bearer token needs at least %d (such as `openssl rand -hex 32`)",
			file, line, int(math.Floor(bits)), hooks.MinEntropyBits)
	}
	return nil
}
