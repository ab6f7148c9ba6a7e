package dotenv

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestParse(t *testing.T) {
	environ := env(map[string]string{"HOME": "/home/dev", "EMPTY": ""})
	tests := []struct {
		name string
		in   string
		want []Entry
	}{
		{"plain", "A=1\nB=two", []Entry{{"A", "1", 1}, {"B", "two", 2}}},
		{"blank lines and comments", "\n# comment\n  # indented comment\nA=1\n\n", []Entry{{"A", "1", 4}}},
		{"export", "export A=1\nexport\tB=2", []Entry{{"A", "1", 1}, {"B", "2", 2}}},
		{"key named export", "export=1", []Entry{{"export", "1", 1}}},
		{"spaces around =", "A = 1  ", []Entry{{"A", "1", 1}}},
		{"empty value", "A=\nB=''\nC=\"\"", []Entry{{"A", "", 1}, {"B", "", 2}, {"C", "", 3}}},
		{"inline comment", "A=value # comment\nB=val#ue", []Entry{{"A", "value", 1}, {"B", "val#ue", 2}}},
		{"comment after quotes", `A="x" # c` + "\nB='y'#c", []Entry{{"A", "x", 1}, {"B", "y", 2}}},
		{"single quotes are literal", `A='$HOME \n ${X} "q"'`, []Entry{{"A", `$HOME \n ${X} "q"`, 1}}},
		{"double quote escapes", `A="a\nb\tc\rd\\e\"f\'g\$h\qi\v\0101\0351\09"`, []Entry{{"A", "a\nb\tc\rd\\e\"f\\'g$h\\qi\vA\u00e9\\9", 1}}},
		{"hash in quotes", `A="a # b"`, []Entry{{"A", "a # b", 1}}},
		{"multi-line double quotes", "A=\"line one\nline two\"\nB=1", []Entry{{"A", "line one\nline two", 1}, {"B", "1", 3}}},
		{"multi-line single quotes", "A='x\ny'", []Entry{{"A", "x\ny", 1}}},
		{"pem key", "KEY=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\n", []Entry{{"KEY", "-----BEGIN KEY-----\nabc\n-----END KEY-----", 1}}},
		{"crlf", "A=1\r\nB=\"x\r\ny\"\r\n", []Entry{{"A", "1", 1}, {"B", "x\ny", 2}}},
		{"bom", "\uFEFFA=1", []Entry{{"A", "1", 1}}},
		{"expand earlier variable", "USER=app\nDSN=postgres://${USER}@db/$USER", []Entry{{"USER", "app", 1}, {"DSN", "postgres://app@db/app", 2}}},
		{"expand environment", `A="${HOME}/x"`, []Entry{{"A", "/home/dev/x", 1}}},
		{"environment wins over the file, as in compose", "HOME=/srv\nA=$HOME", []Entry{{"HOME", "/srv", 1}, {"A", "/home/dev", 2}}},
		{"unknown expands empty", "A=x${NOPE}y", []Entry{{"A", "xy", 1}}},
		{"dollar dollar", "A=$$HOME\nB=\"a$$b\"", []Entry{{"A", "$HOME", 1}, {"B", "a$b", 2}}},
		{"lone dollar", "A=5$\nB=$ x\nC=$1", []Entry{{"A", "5$", 1}, {"B", "$ x", 2}, {"C", "$1", 3}}},
		{"default :-", "A=${NOPE:-d}\nB=${EMPTY:-d}\nC=${HOME:-d}", []Entry{{"A", "d", 1}, {"B", "d", 2}, {"C", "/home/dev", 3}}},
		{"default -", "A=${NOPE-d}\nB=${EMPTY-d}", []Entry{{"A", "d", 1}, {"B", "", 2}}},
		{"alternative :+ and +", "A=${HOME:+alt}\nB=${EMPTY:+alt}\nC=${EMPTY+alt}\nD=${NOPE+alt}", []Entry{{"A", "alt", 1}, {"B", "", 2}, {"C", "alt", 3}, {"D", "", 4}}},
		{"nested default", "A=${NOPE:-${HOME}/d}", []Entry{{"A", "/home/dev/d", 1}}},
		{"required set", "A=${HOME:?set it}\nB=${EMPTY?set it}", []Entry{{"A", "/home/dev", 1}, {"B", "", 2}}},
		{"no expansion in single quotes", "A='${HOME}'", []Entry{{"A", "${HOME}", 1}}},
		{"escaped dollar in double quotes", `A="\${HOME}"`, []Entry{{"A", "${HOME}", 1}}},
		{"bare key from environment", "HOME\nNOPE\nA=1", []Entry{{"HOME", "/home/dev", 1}, {"A", "1", 3}}},
		{"dotted and dashed keys", "a.b-c=1\n_x=2", []Entry{{"a.b-c", "1", 1}, {"_x", "2", 2}}},
		{"duplicate keys kept in order", "A=1\nA=2", []Entry{{"A", "1", 1}, {"A", "2", 2}}},
		{"equals in value", "A=a=b==c", []Entry{{"A", "a=b==c", 1}}},
		{"unicode value", "A=päßwörd✓", []Entry{{"A", "päßwörd✓", 1}}},
		{"no final newline", "A=1", []Entry{{"A", "1", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in), Options{Lookup: environ})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		reason   string
	}{
		{"unterminated double", "A=1\nB=\"canary-value\nmore", 2, "unterminated double-quoted value"},
		{"unterminated single", "B='canary-value", 1, "unterminated single-quoted value"},
		{"junk after quote", `A="x"canary-value`, 1, "unexpected characters after the closing quote"},
		{"bad key", "1A=canary-value", 1, "expected a variable name"},
		{"no equals", "A canary-value", 1, "expected = after the variable name"},
		{"unterminated expansion", "A=${canary-value", 1, "unterminated ${ expansion"},
		{"required missing", "A=${NOPE:?canary-value}", 1, "required variable NOPE is not set"},
		{"required empty", "E=\nA=${E:?canary-value}", 2, "required variable E is not set"},
		{"bad operator", "A=${HOME%canary-value}", 1, "unknown operator"},
		{"empty name", "A=${:-canary-value}", 1, "invalid variable name"},
		{"line after multi-line", "A=\"x\ny\"\nB='canary-value", 3, "unterminated single-quoted value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), Options{})
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "error %v", err)
			assert.Equal(t, tt.line, pe.Line)
			assert.Contains(t, pe.Reason, tt.reason)
			assert.NotContains(t, err.Error(), "canary-value", "errors never carry the value")
		})
	}
}

func TestMapLastWins(t *testing.T) {
	entries, err := Parse([]byte("A=1\nB=2\nA=3"), Options{})
	require.NoError(t, err)
	m := Map(entries)
	assert.Equal(t, Entry{"A", "3", 3}, m["A"])
	assert.Len(t, m, 2)
}

func TestEntryRedacted(t *testing.T) {
	e := Entry{Key: "A", Value: "canary-value", Line: 1}
	for _, s := range []string{fmt.Sprint(e), fmt.Sprintf("%v %+v %#v %s", e, e, e, e)} {
		assert.NotContains(t, s, "canary-value")
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, v := range []string{"", "plain", `a"b\c$d${E}`, "multi\nline\r\nvalue", "  spaced  ", "#hash", "'single'", "\x00\xff"} {
		got, err := Parse([]byte("K="+Quote(v)+"\n"), Options{})
		require.NoError(t, err, "%q", v)
		require.Len(t, got, 1)
		assert.Equal(t, v, got[0].Value)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"A=1", "export A='x'\n#c\nB=\"y\\n${A:-z}\"", "A=${B:-${C:+$D}}", "A=\"\n", "K\nL=$$", "\uFEFFA=1\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		entries, err := Parse([]byte(in), Options{Lookup: env(map[string]string{"B": "b"})})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 {
				t.Fatalf("error %v is not a ParseError with a line", err)
			}
			return
		}
		lines := strings.Count(in, "\n") + 1
		for _, e := range entries {
			if e.Key == "" || e.Line < 1 || e.Line > lines {
				t.Fatalf("bad entry %q at line %d of %d", e.Key, e.Line, lines)
			}
		}
	})
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "x", "a\"b", "\\", "$", "${A}", "\n", "\r\n", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := Parse([]byte("K="+Quote(v)), Options{})
		if err != nil {
			t.Fatalf("Quote(%q) does not parse: %v", v, err)
		}
		if len(got) != 1 || got[0].Value != v {
			t.Fatalf("Quote(%q) round trip gave %#v", v, got)
		}
	})
}
