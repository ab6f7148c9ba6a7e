package api

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// test that queryValue reads a parameter exactly as url.ParseQuery (and so
// gin's Context.Query) does.
func TestQueryValue(t *testing.T) {
	for _, raw := range []string{
		"", "scenario=picker-wheel&tier=desktop", "tier=a&tier=b", "tier", "tier=", "=x&tier=y",
		"ti%65r=esc", "tier=%zz&tier=ok", "ti%zzer=x&tier=ok", "tier=a;b&tier=c", "tier=a+b%20c",
		"tier+x=1&tier%2Bx=2", "a=1&&tier=2&", "tier=%ff%fe", "rev=HEAD~1&rev=main",
		strings.Repeat("a=1&", 1200) + "tier=late",
	} {
		want, _ := url.ParseQuery(raw)
		for _, name := range []string{"tier", "rev", "scenario", "a", "", "tier x", "tier+x"} {
			assert.Equal(t, want.Get(name), queryValue(raw, name), "%q in %.60q", name, raw)
		}
	}
}

// FuzzQueryValue compares queryValue with url.ParseQuery on any query.
func FuzzQueryValue(f *testing.F) {
	f.Add("scenario=picker-wheel&tier=desktop", "tier")
	f.Add("ti%65r=x;y&tier=%41", "tier")
	f.Add("a+b=1&a%20b=2", "a b")
	f.Fuzz(func(t *testing.T, raw, name string) {
		v, _ := url.ParseQuery(raw)
		if got, want := queryValue(raw, name), v.Get(name); got != want {
			t.Fatalf("queryValue(%q, %q) = %q, url.ParseQuery gives %q", raw, name, got, want)
		}
		names := []string{"tier", name, "scenario", name}
		got := make([]string, len(names))
		queryValues(raw, names, got)
		for i, n := range names {
			if got[i] != v.Get(n) {
				t.Fatalf("queryValues(%q, %q)[%d] = %q, url.ParseQuery gives %q", raw, names, i, got[i], v.Get(n))
			}
		}
	})
}
