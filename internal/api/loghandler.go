package api

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// NewLogHandler returns the handler serve logs with: one JSON object per
// line, byte for byte what slog.NewJSONHandler(w, nil) writes. It encodes
// flat records of strings, integers, booleans and durations itself (the
// request line, written for every request, is one) and hands every other
// record, and every handler derived with WithAttrs or WithGroup, to a
// JSONHandler. Both write through one lock, one line per Write, so lines
// never interleave.
func NewLogHandler(w io.Writer) slog.Handler {
	out := &lockedWriter{w: w}
	return &logHandler{out: out, json: slog.NewJSONHandler(out, nil)}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

type logHandler struct {
	out  *lockedWriter
	json slog.Handler // the same writer, for what the fast path does not encode
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.json.Enabled(ctx, l) }

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler { return h.json.WithAttrs(as) }

func (h *logHandler) WithGroup(name string) slog.Handler { return h.json.WithGroup(name) }

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	bp := lineBufs.Get().(*[]byte)
	defer putLineBuf(bp)
	b, ok := appendLineStart((*bp)[:0], r.Time, r.Level, r.Message)
	if ok {
		r.Attrs(func(a slog.Attr) bool {
			b, ok = appendFlatAttr(b, a)
			return ok
		})
	}
	*bp = b
	if !ok {
		return h.json.Handle(ctx, r)
	}
	*bp = append(b, '}', '\n')
	_, err := h.out.Write(*bp)
	return err
}

// logAttrs is Handle for a record of at, level, msg and attrs, without
// building the record (which allocates beyond five attributes). The caller
// has checked Enabled.
func (h *logHandler) logAttrs(ctx context.Context, at time.Time, level slog.Level, msg string, attrs []slog.Attr) error {
	bp := lineBufs.Get().(*[]byte)
	defer putLineBuf(bp)
	b, ok := appendLineStart((*bp)[:0], at, level, msg)
	for i := 0; ok && i < len(attrs); i++ {
		b, ok = appendFlatAttr(b, attrs[i])
	}
	*bp = b
	if !ok {
		r := slog.NewRecord(at, level, msg, 0)
		r.AddAttrs(attrs...)
		return h.json.Handle(ctx, r)
	}
	*bp = append(b, '}', '\n')
	_, err := h.out.Write(*bp)
	return err
}

var lineBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

func putLineBuf(bp *[]byte) {
	if cap(*bp) <= 16<<10 { // a rare huge line does not stay in the pool
		lineBufs.Put(bp)
	}
}

// appendLineStart appends the built-in keys as JSONHandler does; false for
// a time JSONHandler reports an error for.
func appendLineStart(b []byte, t time.Time, level slog.Level, msg string) ([]byte, bool) {
	b = append(b, '{')
	if !t.IsZero() {
		if y := t.Year(); y < 0 || y >= 10000 {
			return b, false
		}
		b = append(b, `"time":"`...)
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"level":`...)
	b = appendJSONString(b, level.String())
	b = append(b, `,"msg":`...)
	b = appendJSONString(b, msg)
	return b, true
}

// appendFlatAttr appends ,"key":value for the kinds it encodes as
// JSONHandler does, and reports false for any other attribute.
func appendFlatAttr(b []byte, a slog.Attr) ([]byte, bool) {
	if a.Key == "" {
		return b, false // empty attributes and inline groups: JSONHandler's rules
	}
	v := a.Value
	switch v.Kind() {
	case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindBool, slog.KindDuration:
	default:
		return b, false
	}
	b = append(b, ',')
	b = appendJSONString(b, a.Key)
	b = append(b, ':')
	switch v.Kind() {
	case slog.KindString:
		b = appendJSONString(b, v.String())
	case slog.KindInt64:
		b = strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		b = strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindBool:
		b = strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		b = strconv.AppendInt(b, int64(v.Duration()), 10) // nanoseconds, as json.Marshal
	}
	return b, true
}

// appendJSONString appends s quoted as JSONHandler quotes strings: invalid
// UTF-8 becomes U+FFFD, control characters, quote and backslash are
// escaped, and so are U+2028 and U+2029; '<', '>' and '&' are not.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
