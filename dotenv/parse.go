package dotenv

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entry is one assignment of a .env file.
type Entry struct {
	Key   string
	Value string
	// Line is the 1-based line where the assignment starts.
	Line int
}

// String hides the value.
func (e Entry) String() string { return fmt.Sprintf("%s=[redacted] (line %d)", e.Key, e.Line) }

// GoString hides the value from %#v.
func (e Entry) GoString() string { return e.String() }

// LogValue hides the value from slog, whose JSON handler would otherwise
// encode the Value field.
func (e Entry) LogValue() slog.Value { return slog.StringValue(e.String()) }

// Options tunes [Parse].
type Options struct {
	// Lookup returns a variable of the environment, for ${VAR} expansion
	// and bare KEY lines. Nothing is looked up when nil.
	Lookup func(name string) (string, bool)
}

// ParseError is a malformed line. It never holds the value.
type ParseError struct {
	Line   int
	Reason string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Read parses a .env file from r; see [Parse].
func Read(r io.Reader, opts Options) ([]Entry, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Parse(data, opts)
}

// Parse parses the contents of a .env file into its assignments, in file
// order. A key assigned twice appears twice; the last one wins in [Map].
func Parse(data []byte, opts Options) ([]Entry, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	p := &parser{src: text, line: 1, opts: opts, vars: map[string]string{}}
	return p.parse()
}

// Map returns the variables of entries, the last assignment of a key
// winning.
func Map(entries []Entry) map[string]Entry {
	m := make(map[string]Entry, len(entries))
	for _, e := range entries {
		m[e.Key] = e
	}
	return m
}

type parser struct {
	src  string
	pos  int
	line int
	opts Options
	vars map[string]string
	out  []Entry
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &ParseError{Line: line, Reason: fmt.Sprintf(format, args...)}
}

func (p *parser) parse() ([]Entry, error) {
	for p.pos < len(p.src) {
		p.skipBlanks()
		switch {
		case p.pos >= len(p.src):
		case p.src[p.pos] == '\n':
			p.advance(1)
		case p.src[p.pos] == '#':
			p.skipToEOL()
		default:
			if err := p.assignment(); err != nil {
				return nil, err
			}
		}
	}
	return p.out, nil
}

func (p *parser) assignment() error {
	start := p.line
	if rest := p.src[p.pos:]; strings.HasPrefix(rest, "export") && len(rest) > 6 && (rest[6] == ' ' || rest[6] == '\t') {
		p.advance(6)
		p.skipBlanks()
	}
	key := p.key()
	if key == "" {
		return p.errorf(start, "expected a variable name (letters, digits, _ . -, not starting with a digit)")
	}
	p.skipBlanks()
	// a bare name: only blanks may follow, as in compose ("A #x" and "A#x"
	// are refused there too)
	if p.pos >= len(p.src) || p.src[p.pos] == '\n' {
		p.skipToEOL()
		if p.opts.Lookup != nil {
			if v, ok := p.opts.Lookup(key); ok {
				p.emit(key, v, start)
			}
		}
		return nil
	}
	if p.src[p.pos] != '=' {
		return p.errorf(start, "expected = after the variable name")
	}
	p.advance(1)
	p.skipValueSpace()
	value, err := p.value(start)
	if err != nil {
		return err
	}
	p.emit(key, value, start)
	return nil
}

func (p *parser) emit(key, value string, line int) {
	p.vars[key] = value
	p.out = append(p.out, Entry{Key: key, Value: value, Line: line})
}

func (p *parser) key() string {
	start := p.pos
	for p.pos < len(p.src) && isKeyByte(p.src[p.pos], p.pos == start) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func isKeyByte(c byte, first bool) bool {
	switch {
	case c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		return true
	case c >= '0' && c <= '9' || c == '.' || c == '-':
		return !first
	}
	return false
}

func (p *parser) value(line int) (string, error) {
	if p.pos >= len(p.src) {
		return "", nil
	}
	switch p.src[p.pos] {
	case '\'':
		return p.singleQuoted(line)
	case '"':
		return p.doubleQuoted(line)
	}
	return p.unquoted(line)
}

func (p *parser) singleQuoted(line int) (string, error) {
	end := strings.IndexByte(p.src[p.pos+1:], '\'')
	if end < 0 {
		return "", p.errorf(line, "unterminated single-quoted value")
	}
	v := p.src[p.pos+1 : p.pos+1+end]
	p.advance(end + 2)
	return v, p.afterQuote(line)
}

func (p *parser) doubleQuoted(line int) (string, error) {
	i := p.pos + 1
	for ; i < len(p.src) && p.src[i] != '"'; i++ {
		if p.src[i] == '\\' {
			i++
		}
	}
	if i >= len(p.src) {
		return "", p.errorf(line, "unterminated double-quoted value")
	}
	raw := p.src[p.pos+1 : i]
	p.advance(i + 1 - p.pos)
	v, err := p.expand(raw, true, line)
	if err != nil {
		return "", err
	}
	return v, p.afterQuote(line)
}

// afterQuote allows only blanks and a comment after a closing quote.
func (p *parser) afterQuote(line int) error {
	p.skipBlanks()
	if p.pos < len(p.src) && p.src[p.pos] != '\n' && p.src[p.pos] != '#' {
		return p.errorf(line, "unexpected characters after the closing quote")
	}
	p.skipToEOL()
	return nil
}

func (p *parser) unquoted(line int) (string, error) {
	end := strings.IndexByte(p.src[p.pos:], '\n')
	if end < 0 {
		end = len(p.src) - p.pos
	}
	raw := p.src[p.pos : p.pos+end]
	p.advance(end)
	// as compose: " #" starts a comment, and trailing white space goes
	// (a stray \r of a CRLF file included)
	raw, _, _ = strings.Cut(raw, " #")
	return p.expand(strings.TrimRightFunc(raw, unicode.IsSpace), false, line)
}

func (p *parser) skipBlanks() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

// skipValueSpace skips the white space between = and a value, as compose
// does: blanks, \v, \f, \r, U+0085 and U+00A0, never a line break.
func (p *parser) skipValueSpace() {
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if !strings.ContainsRune("\t\v\f\r \u0085\u00a0", r) || r == utf8.RuneError {
			return
		}
		p.pos += n
	}
}

func (p *parser) skipToEOL() {
	end := strings.IndexByte(p.src[p.pos:], '\n')
	if end < 0 {
		p.pos = len(p.src)
		return
	}
	p.pos += end
}

// advance moves n bytes on, counting lines.
func (p *parser) advance(n int) {
	p.line += strings.Count(p.src[p.pos:p.pos+n], "\n")
	p.pos += n
}
