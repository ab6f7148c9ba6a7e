package dotenv

import (
	"strconv"
	"strings"
)

// expand processes escapes (in double quotes) and variable expansions.
func (p *parser) expand(raw string, escapes bool, line int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\' && escapes && i+1 < len(raw):
			v, n := unescape(raw[i+1:])
			b.WriteString(v)
			i += n
		case c == '$':
			n, err := p.dollar(&b, raw[i:], line, 0)
			if err != nil {
				return "", err
			}
			i += n - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// unescape reads the escape after a backslash in double quotes, as
// compose does: \a \b \f \n \r \t \v \\ \" \$, and \0 with three octal
// digits, the code point UTF-8 encoded (\0101 is "A", \0351 is "é"). It
// returns the text and how many bytes of s it used; any other backslash
// is kept as it is (\' too), and \0 with other digits loses its 0.
func unescape(s string) (string, int) {
	if i := strings.IndexByte(`abfnrtv\"$`, s[0]); i >= 0 {
		return string("\a\b\f\n\r\t\v\\\"$"[i]), 1
	}
	if s[0] == '0' {
		n := 1
		for n < len(s) && n < 4 && s[n] >= '0' && s[n] <= '9' {
			n++
		}
		if v, err := strconv.ParseUint(s[1:n], 8, 8); err == nil && n == 4 {
			return string(rune(v)), n // a code point, UTF-8 encoded, as compose
		}
		return "\\" + s[1:n], n // compose drops the 0 of a bad octal escape
	}
	return "\\", 0
}

const maxNesting = 32

// dollar expands the $ form at the start of s into b and returns how many
// bytes it used.
func (p *parser) dollar(b *strings.Builder, s string, line, depth int) (int, error) {
	if depth > maxNesting {
		return 0, p.errorf(line, "expansions nested too deeply")
	}
	if len(s) > 1 && s[1] == '$' {
		b.WriteByte('$')
		return 2, nil
	}
	if len(s) > 1 && s[1] == '{' {
		return p.braced(b, s, line, depth)
	}
	n := 1
	for n < len(s) && isNameByte(s[n], n == 1) {
		n++
	}
	if n == 1 {
		b.WriteByte('$')
		return 1, nil
	}
	v, _ := p.lookup(s[1:n])
	b.WriteString(v)
	return n, nil
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || !first && c >= '0' && c <= '9'
}

// braced expands ${NAME}, ${NAME:-word} and the other operators.
func (p *parser) braced(b *strings.Builder, s string, line, depth int) (int, error) {
	end := matchingBrace(s)
	if end < 0 {
		return 0, p.errorf(line, "unterminated ${ expansion")
	}
	body := s[2:end]
	n := 0
	for n < len(body) && isNameByte(body[n], n == 0) {
		n++
	}
	name, rest := body[:n], body[n:]
	if name == "" {
		return 0, p.errorf(line, "invalid variable name in ${...}")
	}
	value, set := p.lookup(name)
	op, word := operator(rest)
	if op == "" && rest != "" {
		return 0, p.errorf(line, "invalid expansion of %s: unknown operator", name)
	}
	useWord := func() (string, error) { return p.expandWord(word, line, depth) }
	var out string
	var err error
	switch op {
	case "":
		out = value
	case ":-":
		out = value
		if value == "" {
			out, err = useWord()
		}
	case "-":
		out = value
		if !set {
			out, err = useWord()
		}
	case ":+":
		if value != "" {
			out, err = useWord()
		}
	case "+":
		if set {
			out, err = useWord()
		}
	case ":?", "?":
		out = value
		if !set || op == ":?" && value == "" {
			return 0, p.errorf(line, "required variable %s is not set", name)
		}
	}
	if err != nil {
		return 0, err
	}
	b.WriteString(out)
	return end + 1, nil
}

// operator splits ":-word" into ":-" and "word".
func operator(rest string) (op, word string) {
	for _, o := range []string{":-", ":+", ":?", "-", "+", "?"} {
		if strings.HasPrefix(rest, o) {
			return o, rest[len(o):]
		}
	}
	return "", ""
}

// expandWord expands the word of an operator (a default or alternative).
func (p *parser) expandWord(word string, line, depth int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(word); i++ {
		if word[i] != '$' {
			b.WriteByte(word[i])
			continue
		}
		n, err := p.dollar(&b, word[i:], line, depth+1)
		if err != nil {
			return "", err
		}
		i += n - 1
	}
	return b.String(), nil
}

// matchingBrace returns the index of the } closing the ${ at s[0:2], or -1.
func matchingBrace(s string) int {
	depth := 0
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '{' && s[i-1] == '$':
			depth++
		case s[i] == '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func (p *parser) lookup(name string) (string, bool) {
	if p.opts.Lookup != nil {
		if v, ok := p.opts.Lookup(name); ok {
			return v, true // the environment first, as docker compose does
		}
	}
	v, ok := p.vars[name]
	return v, ok
}

// Quote returns value as a double-quoted .env value that [Parse] reads
// back exactly: backslashes, quotes, dollars and control line breaks are
// escaped.
func Quote(value string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\', '"', '$':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
