package store

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The one-line YAML scalars of scanEventMetadata, read exactly as yaml.v3
// reads them into a string, an int or a time.Time, or refused.

// blockHeaderRE is a block scalar header with an optional chomping
// indicator and comment; an explicit indentation indicator is refused.
var blockHeaderRE = regexp.MustCompile(`^[|>][+-]?( +#.*)?$`)

// versionRE is a decimal int YAML and strconv.Atoi read alike.
var versionRE = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})$`)

// yamlTimestampFormats are yaml.v3's, in its order.
var yamlTimestampFormats = []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"}

// yamlTime reads a time as yaml.v3 decodes it into a time.Time: a plain
// scalar that resolves to a timestamp as that, anything else with
// time.Time's UnmarshalText.
func yamlTime(v string, quoted bool) (time.Time, bool) {
	if !quoted && len(v) > 4 && v[4] == '-' && strings.Trim(v[:4], "0123456789") == "" {
		for _, f := range yamlTimestampFormats {
			if t, err := time.Parse(f, v); err == nil {
				return t, true
			}
		}
	}
	var t time.Time
	return t, v != "" && t.UnmarshalText([]byte(v)) == nil
}

// scalar decodes a one-line YAML scalar as yaml.v3 reads it into a string:
// empty (null), plain, or double- or single-quoted with escapes YAML and Go
// read alike. Anything else (block scalars, flow collections, comments,
// anchors, tags, null spelt out, escapes the two read differently) is
// refused. quoted reports a quoted scalar.
func scalar(s string) (v string, quoted, ok bool) {
	switch {
	case s == "":
		return "", false, true
	case s[0] == '"':
		v, ok := doubleQuoted(s)
		return v, true, ok
	case s[0] == '\'':
		if len(s) < 2 || s[len(s)-1] != '\'' {
			return "", true, false
		}
		inner := s[1 : len(s)-1]
		if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			return "", true, false
		}
		return strings.ReplaceAll(inner, "''", "'"), true, true
	case !plainStart(s), strings.Contains(s, " #"), strings.Contains(s, ": "), strings.HasSuffix(s, ":"),
		s == "null", s == "Null", s == "NULL":
		return "", false, false
	}
	return s, false, true
}

// plainStart reports whether s starts the way a plain scalar may, and
// conservatively: no indicator, no "- ", "? " or ": ".
func plainStart(s string) bool {
	c := s[0]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '/' || c >= 0x80
}

// doubleQuoted decodes a double-quoted scalar on one line, allowing only
// escapes YAML and strconv.Unquote read alike (not \x, which YAML reads as
// a code point and Go as a byte, nor octal, which YAML lacks).
func doubleQuoted(s string) (string, bool) {
	if len(s) < 2 || s[len(s)-1] != '"' {
		return "", false
	}
	inner := s[1 : len(s)-1]
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '"':
			return "", false
		case '\\':
			if i+1 == len(inner) || !strings.ContainsRune(`\"abfnrtvuU`, rune(inner[i+1])) {
				return "", false
			}
			i++
		}
	}
	v, err := strconv.Unquote(s)
	return v, err == nil && utf8.ValidString(v)
}

// printable reports whether data holds only what YAML reads as text on
// lines split at \n: no control character (tab and \r included), no byte
// order mark, no Unicode line break, valid UTF-8.
func printable(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < ' ' && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += n
	}
	return true
}
