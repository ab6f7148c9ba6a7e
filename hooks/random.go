package hooks

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/secretsctl/secretsctl/store"
)

const (
	lower   = "abcdefghijklmnopqrstuvwxyz"
	upper   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits  = "0123456789"
	symbols = "!#%*+-.:=?@^_~"
)

// Charsets maps each charset name of the random generator to its
// characters.
var charsets = map[string]string{
	"alnum":  upper + lower + digits,
	"alpha":  upper + lower,
	"lower":  lower,
	"upper":  upper,
	"digits": digits,
	"hex":    "0123456789abcdef",
	"base64": upper + lower + digits + "+/",
}

var passwordClasses = map[string]string{"lower": lower, "upper": upper, "digits": digits, "symbols": symbols}

var classOrder = []string{"lower", "upper", "digits", "symbols"}

// Alphabet is the set of characters a random or password generator draws
// from, each with the same probability. It is "" for other generators and
// for invalid parameters.
func Alphabet(g store.Generator) string {
	switch {
	case g.Type == "random" && g.Alphabet != "":
		return g.Alphabet
	case g.Type == "random":
		return charsets[cmpOr(g.Charset, "alnum")]
	case g.Type == "password":
		var b strings.Builder
		for _, c := range passwordClassesOf(g) {
			b.WriteString(passwordClasses[c])
		}
		return b.String()
	}
	return ""
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func validateRandom(g store.Generator) *ParamError {
	if err := checkRange("length", g.Length, 1, 4096); err != nil {
		return err
	}
	if g.Charset != "" && g.Alphabet != "" {
		return badParam("alphabet", "give a charset or an alphabet, not both")
	}
	if _, ok := charsets[cmpOr(g.Charset, "alnum")]; !ok {
		return badParam("charset", "%q is not one of alnum, alpha, lower, upper, digits, hex, base64", g.Charset)
	}
	if g.Alphabet == "" {
		return nil
	}
	if !utf8.ValidString(g.Alphabet) {
		return badParam("alphabet", "not valid UTF-8")
	}
	runes := []rune(g.Alphabet)
	if len(runes) < 2 {
		return badParam("alphabet", "needs at least 2 characters")
	}
	if len(runes) > 1<<16 {
		return badParam("alphabet", "has more than 65536 characters")
	}
	slices.Sort(runes)
	if len(slices.Compact(runes)) != len([]rune(g.Alphabet)) {
		return badParam("alphabet", "repeats a character, which would make it more likely than the others")
	}
	return nil
}

func generateRandom(g store.Generator, _ map[string]string, opt Options) (string, error) {
	return drawString(newSampler(opt.rand()), []rune(Alphabet(g)), cmpInt(g.Length, 32))
}

func passwordClassesOf(g store.Generator) []string {
	if len(g.Classes) == 0 {
		return classOrder
	}
	var out []string
	for _, c := range classOrder { // a fixed order, whatever the declaration's
		if slices.Contains(g.Classes, c) {
			out = append(out, c)
		}
	}
	return out
}

func validatePassword(g store.Generator) *ParamError {
	for i, c := range g.Classes {
		if _, ok := passwordClasses[c]; !ok {
			return badParam("classes", "%q is not one of lower, upper, digits, symbols", c)
		}
		if slices.Contains(g.Classes[:i], c) {
			return badParam("classes", "%q is listed twice", c)
		}
	}
	return checkRange("length", g.Length, 8, 4096)
}

// generatePassword draws every character uniformly from the union of the
// classes and draws again while a class is missing, so every valid password
// is equally likely.
func generatePassword(g store.Generator, _ map[string]string, opt Options) (string, error) {
	s := newSampler(opt.rand())
	alphabet := []rune(Alphabet(g))
	for {
		pw, err := drawString(s, alphabet, cmpInt(g.Length, 24))
		if err != nil {
			return "", err
		}
		if hasEveryClass(pw, passwordClassesOf(g)) {
			return pw, nil
		}
	}
}

func hasEveryClass(pw string, classes []string) bool {
	for _, c := range classes {
		if !strings.ContainsAny(pw, passwordClasses[c]) {
			return false
		}
	}
	return true
}

func cmpInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func drawString(s *sampler, alphabet []rune, n int) (string, error) {
	out := make([]rune, n)
	for i := range out {
		k, err := s.intn(len(alphabet))
		if err != nil {
			return "", err
		}
		out[i] = alphabet[k]
	}
	return string(out), nil
}

// A sampler draws uniform integers from a byte stream by rejection: a draw
// at or above the largest multiple of n is thrown away, so no index is more
// likely than another (no modulo bias).
type sampler struct {
	r   io.Reader
	buf [256]byte
	pos int
}

func newSampler(r io.Reader) *sampler {
	return &sampler{r: r, pos: 256}
}

func (s *sampler) next(n int) ([]byte, error) {
	if s.pos+n > len(s.buf) {
		if _, err := io.ReadFull(s.r, s.buf[:]); err != nil {
			return nil, fmt.Errorf("read randomness: %w", err)
		}
		s.pos = 0
	}
	b := s.buf[s.pos : s.pos+n]
	s.pos += n
	return b, nil
}

// intn returns a uniform integer in [0, n) for 2 <= n <= 1<<16.
func (s *sampler) intn(n int) (int, error) {
	width, space := 1, 1<<8
	if n > 1<<8 {
		width, space = 4, 1<<32
	}
	limit := space - space%n
	for {
		b, err := s.next(width)
		if err != nil {
			return 0, err
		}
		v := int(b[0])
		if width == 4 {
			v = int(binary.BigEndian.Uint32(b))
		}
		if v < limit {
			return v % n, nil
		}
	}
}
