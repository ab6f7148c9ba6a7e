package prompt

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/hooks/keystore"
)

// browser starts headless Chromium with the flags of NOTES.md and a fresh
// profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := requireTool(t, "chromium", "chromium-browser", "google-chrome")
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

func html(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.OuterHTML("html"))
	require.NoError(t, err)
	return s
}

// TestFormInChromium drives the one-time form in a real browser: the
// invalid value shows an error, the valid one lands in the keystore, and
// every forged or repeated request is refused.
func TestFormInChromium(t *testing.T) {
	ctx := browser(t)
	spec := agentInbox(t)
	ks, err := keystore.Open("agent-inbox", keystore.Options{Backend: keystore.BackendFile, Dir: t.TempDir()})
	require.NoError(t, err)
	var logs bytes.Buffer
	form, err := ServeForm(context.Background(), spec, FormOptions{
		Title:  "Secrets for agent-inbox",
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Save: func(_ context.Context, a Answers) error {
			for id, v := range a {
				if err := ks.Set(id, []byte(v)); err != nil {
					return err
				}
			}
			return nil
		},
	})
	require.NoError(t, err)
	defer form.Close()
	u, err := url.Parse(form.URL())
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", u.Hostname())
	var pages []string // every page the browser showed, for the canary check

	// The browser opens the one-time URL.
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(form.URL()))
	require.NoError(t, err)
	assert.Equal(t, int64(200), resp.Status)
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("f3"))))
	label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`label[for="f3"]`)))
	require.NoError(t, err)
	assert.Equal(t, "OpenRouter API key", label)
	// The inline style ran under the CSP (its hash matched): the page is styled.
	font, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("button")).fontSize`))
	require.NoError(t, err)
	assert.Equal(t, "16px", font)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(artifactDir(t), "prompt-form.png"), shot, 0o644))

	t.Run("a second use of the URL is refused", func(t *testing.T) {
		res := get(t, form.URL())
		assert.Equal(t, http.StatusGone, res.StatusCode)
	})
	t.Run("a wrong token is refused", func(t *testing.T) {
		res := get(t, "http://"+u.Host+"/p/"+strings.Repeat("A", 43))
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
		res = get(t, "http://"+u.Host+"/")
		assert.Equal(t, http.StatusNotFound, res.StatusCode)
	})
	t.Run("another Host header is refused (DNS rebinding)", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, form.URL(), nil)
		req.Host = "evil.example:" + u.Port()
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusMisdirectedRequest, res.StatusCode)
	})
	t.Run("a cross-origin POST is refused", func(t *testing.T) {
		// A page on another origin posts to the form with the browser's
		// cookie (same site: 127.0.0.1) and a valid-looking body.
		evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, `<!DOCTYPE html><form method="post" action="`+"http://"+u.Host+`/submit">
<input name="csrf" value="guess"><input name="f3" value="`+canaryKey+`"><button id="go">go</button></form>`)
		}))
		defer evil.Close()
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(evil.URL)))
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("go")))
		require.NoError(t, err)
		assert.Equal(t, int64(http.StatusForbidden), resp.Status)
		assert.Contains(t, html(t, ctx), "Refused: cross-origin")
		// And without a browser: a POST with a foreign Origin.
		res := post(t, "http://"+u.Host+"/submit", "http://evil.example", url.Values{"f3": {canaryKey}})
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	})
	t.Run("a POST without the CSRF token is refused", func(t *testing.T) {
		// The same browser reloads its form (its session cookie lets it),
		// the CSRF field is removed, and the form is submitted.
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(form.URL()), chromedp.WaitVisible(chromedp.ID("f3"))))
		_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("input[name=csrf]").remove() || true`))
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("f3"), canaryKey)))
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("save")))
		require.NoError(t, err)
		assert.Equal(t, int64(http.StatusForbidden), resp.Status)
		assert.Contains(t, html(t, ctx), "Refused: missing or wrong CSRF token")
	})
	ids, err := ks.List()
	require.NoError(t, err)
	require.Empty(t, ids, "nothing refused may reach the store")

	// An invalid value shows the error, without the value.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(form.URL()), chromedp.WaitVisible(chromedp.ID("f3"))))
	pages = append(pages, html(t, ctx))
	require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("f3"), canaryInvalid)))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("save")))
	require.NoError(t, err)
	assert.Equal(t, int64(http.StatusUnprocessableEntity), resp.Status)
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("f3-error")))
	require.NoError(t, err)
	assert.Equal(t, "does not match the expected format ^sk-or-v1-[a-f0-9]{64}$", msg)
	pages = append(pages, html(t, ctx))
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(artifactDir(t), "prompt-form-error.png"), shot, 0o644))

	// A valid value is saved, and the form closes.
	require.NoError(t, chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("f3"), canaryKey)))
	resp, err = chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("save")))
	require.NoError(t, err)
	assert.Equal(t, int64(http.StatusOK), resp.Status)
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("message")))
	require.NoError(t, err)
	assert.Equal(t, "Saved 1 value(s). You can close this window.", done)
	pages = append(pages, html(t, ctx))

	answers, err := form.Wait()
	require.NoError(t, err)
	assert.Equal(t, Answers{"openrouter/OPENROUTER_API_KEY": canaryKey}, answers)
	got, err := ks.Get("openrouter/OPENROUTER_API_KEY")
	require.NoError(t, err)
	assert.Equal(t, canaryKey, string(got))

	// The server is gone: the URL cannot be used again.
	_, err = http.Get(form.URL())
	assert.Error(t, err, "the server must have stopped after the submission")

	// Canary: no typed value in any page the browser showed or in the logs.
	for _, p := range append(pages, logs.String()) {
		assert.NotContains(t, p, canaryKey)
		assert.NotContains(t, p, canaryInvalid)
	}
	assert.NotContains(t, logs.String(), u.Path, "the token stays out of logs")
	assert.Contains(t, logs.String(), "prompt form submitted")
}

func get(t *testing.T, u string) *http.Response {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	res.Body.Close()
	return res
}

func post(t *testing.T, u, origin string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	return res
}

func TestFormExpires(t *testing.T) {
	form, err := ServeForm(context.Background(), agentInbox(t), FormOptions{Timeout: 50 * time.Millisecond})
	require.NoError(t, err)
	_, err = form.Wait()
	assert.ErrorIs(t, err, ErrExpired)
	_, err = http.Get(form.URL())
	assert.Error(t, err, "an expired form stops serving")
}
