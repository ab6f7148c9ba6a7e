package ui

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, h http.Handler, method, path string) *http.Response {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(method, srv.URL+path, nil)
	require.NoError(t, err)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestHandlerServesAssetsWithStrictHeaders(t *testing.T) {
	for path, ctype := range map[string]string{"/ui/": "text/html", "/ui/app.js": "text/javascript", "/ui/app.css": "text/css"} {
		t.Run(path, func(t *testing.T) {
			res := get(t, Handler(), http.MethodGet, path)
			require.Equal(t, http.StatusOK, res.StatusCode)
			assert.Contains(t, res.Header.Get("Content-Type"), ctype)
			assert.Equal(t, CSP, res.Header.Get("Content-Security-Policy"))
			assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
		})
	}
}

func TestHandlerIsReadOnly(t *testing.T) {
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		res := get(t, Handler(), m, "/ui/")
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, m)
		body, _ := io.ReadAll(res.Body)
		assert.JSONEq(t, `{"error":"the UI is read-only","code":"method_not_allowed"}`, string(body))
	}
}

func TestHandlerRedirectsBarePrefixAndRefusesOtherFiles(t *testing.T) {
	res := get(t, Handler(), http.MethodGet, "/ui")
	assert.Equal(t, http.StatusMovedPermanently, res.StatusCode)
	assert.Equal(t, "/ui/", res.Header.Get("Location"))
	assert.Equal(t, http.StatusNotFound, get(t, Handler(), http.MethodGet, "/ui/../ui.go").StatusCode)
	assert.Equal(t, http.StatusNotFound, get(t, Handler(), http.MethodGet, "/ui/nothing.js").StatusCode)
}

func asset(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(static, "static/"+name)
	require.NoError(t, err)
	return string(b)
}

// TestAssetsLoadNothingFromElsewhere: no absolute URL, no inline script,
// style or handler, which the CSP would block anyway.
func TestAssetsLoadNothingFromElsewhere(t *testing.T) {
	html := asset(t, "index.html")
	assert.NotRegexp(t, `(?i)https?://|//[a-z0-9]`, html)
	assert.NotRegexp(t, `(?i)<script(?:\s+(?:src="app\.js"|defer))*\s*>\s*[^<\s]`, html, "inline script")
	assert.NotRegexp(t, `(?i)\son[a-z]+\s*=|\sstyle\s*=|<style`, html, "inline handler or style")
	assert.Equal(t, 1, strings.Count(html, "<script"), "one script: app.js")
	assert.NotRegexp(t, `(?i)https?://|@import|url\(`, asset(t, "app.css"))
}

// TestScriptWritesTextOnly: every string from the API becomes a text node;
// nothing parses HTML or evaluates code, and every fetch is of the API on
// the same origin.
func TestScriptWritesTextOnly(t *testing.T) {
	js := asset(t, "app.js")
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
		"setTimeout('", "localStorage", "http://", "https://"} {
		assert.NotContains(t, js, bad)
	}
	for _, m := range regexp.MustCompile(`api\('([^']*)'`).FindAllStringSubmatch(js, -1) {
		assert.True(t, strings.HasPrefix(m[1], "/api/v1/"), "fetch of %s", m[1])
	}
	assert.Contains(t, js, "sessionStorage.setItem(TOKEN_KEY")
	assert.Contains(t, js, "'Bearer ' + token")
}
