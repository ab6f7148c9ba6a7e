package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logBoth writes one record through NewLogHandler (by the Logger API and,
// for Info, by logAttrs, as the request log does) and through
// slog.JSONHandler, and returns the three outputs.
func logBoth(t *testing.T, at time.Time, level slog.Level, msg string, attrs ...slog.Attr) (viaLogger, viaAttrs, want string) {
	t.Helper()
	var got, got2, ref bytes.Buffer
	ctx := context.Background()
	r := slog.NewRecord(at, level, msg, 0)
	r.AddAttrs(attrs...)
	require.NoError(t, slog.NewJSONHandler(&ref, nil).Handle(ctx, r.Clone()))
	require.NoError(t, NewLogHandler(&got).Handle(ctx, r.Clone()))
	require.NoError(t, NewLogHandler(&got2).(*logHandler).logAttrs(ctx, at, level, msg, attrs))
	return got.String(), got2.String(), ref.String()
}

// test that the log handler writes what slog.JSONHandler writes, for the
// request line, the kinds it encodes itself and the ones it hands over.
func TestLogHandlerMatchesJSONHandler(t *testing.T) {
	at := time.Date(2026, 11, 28, 16, 38, 57, 123456789, time.UTC)
	cases := [][]slog.Attr{
		{slog.String("method", "GET"), slog.String("route", "/deployment/secrets"), slog.String("path", "/deployment/secrets"),
			slog.Int("status", 200), slog.Int("bytes", 14557), slog.Duration("duration", 41*time.Microsecond),
			slog.String("remote", "127.0.0.1"), slog.String("revision", strings.Repeat("ab", 20)), slog.String("error_code", "not_found")},
		{slog.String("path", "/a\"b\\c\n\r\t\x00\x1f\x7f<>&\u2028\u2029\xff\xfe é 😀")},
		{slog.Bool("ok", true), slog.Uint64("u", 1<<63), slog.Int64("neg", -5)},
		{slog.Float64("f", 1.5)}, // handed over
		{slog.Time("t", at)},     // handed over
		{slog.Any("err", errors.New("boom"))},
		{slog.Group("g", slog.String("a", "b"))},
		{{}}, // an empty attribute, which JSONHandler drops
		{slog.String("", "empty key")},
		{slog.String("k", "v"), slog.String("k", "dup")},
	}
	for _, attrs := range cases {
		for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2} {
			a, b, want := logBoth(t, at, level, "request", attrs...)
			assert.Equal(t, want, a)
			assert.Equal(t, want, b)
		}
	}
	a, b, want := logBoth(t, time.Time{}, slog.LevelInfo, "no time", slog.String("k", "v"))
	assert.Equal(t, want, a)
	assert.Equal(t, want, b)
	a, b, want = logBoth(t, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), slog.LevelInfo, "far", slog.String("k", "v"))
	assert.Equal(t, want, a)
	assert.Equal(t, want, b)
}

// test that WithAttrs, WithGroup and Enabled behave as JSONHandler's, and
// write to the same writer.
func TestLogHandlerDerived(t *testing.T) {
	var got, want bytes.Buffer
	for _, h := range []slog.Handler{NewLogHandler(&got), slog.NewJSONHandler(&want, nil)} {
		l := slog.New(h)
		assert.False(t, h.Enabled(context.Background(), slog.LevelDebug))
		l.Debug("hidden")
		l.With("a", 1).WithGroup("g").Info("msg", "b", "c")
		l.Info("plain", "n", 3)
	}
	// Times differ; compare without them.
	strip := func(s string) string {
		var out []string
		for line := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(line), &m))
			delete(m, "time")
			b, _ := json.Marshal(m)
			out = append(out, string(b))
		}
		return strings.Join(out, "\n")
	}
	assert.Equal(t, strip(want.String()), strip(got.String()))
	assert.Equal(t, 2, strings.Count(got.String(), "\n"))
}

// test that concurrent lines, from the fast path and from JSONHandler, never
// interleave.
func TestLogHandlerLines(t *testing.T) {
	var buf bytes.Buffer
	h := NewLogHandler(&buf)
	l := slog.New(h)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 200 {
				if i%2 == 0 {
					l.Info("fast", "s", strings.Repeat("x", 300))
				} else {
					l.Info("slow", "f", 1.5, "s", strings.Repeat("y", 300))
				}
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	require.Len(t, lines, 1600)
	for _, line := range lines {
		require.True(t, json.Valid([]byte(line)), line)
	}
}

// FuzzLogHandler checks that arbitrary strings, valid UTF-8 or not, come out
// as slog.JSONHandler writes them and decode with encoding/json to what
// JSONHandler means (invalid bytes as U+FFFD).
func FuzzLogHandler(f *testing.F) {
	f.Add("GET", "/deployment/secrets", "req\"uest\n", "127.0.0.1")
	f.Add("\xff\xfe", "\u2028\u2029", "\x00\x1f\x7f", "<>&\\")
	f.Fuzz(func(t *testing.T, method, path, msg, key string) {
		at := time.Date(2026, 11, 28, 16, 38, 57, 5, time.UTC)
		attrs := []slog.Attr{slog.String("method", method), slog.String("path", path), slog.String(key, path), slog.Int("status", len(path))}
		a, b, want := logBoth(t, at, slog.LevelInfo, msg, attrs...)
		require.Equal(t, want, a)
		require.Equal(t, want, b)
		if key == "" {
			return // handed over to JSONHandler
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(a), &m), a)
		assert.Equal(t, string([]rune(msg)), m["msg"])
		assert.Equal(t, string([]rune(method)), m["method"])
	})
}
