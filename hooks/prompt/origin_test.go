package prompt

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// test that a submission with the browser's session cookie and the form's
// CSRF token is still refused when its Origin is another site's (or it is
// cross-site by Sec-Fetch-Site), over plain HTTP without a browser, and
// that the very same request with the form's own Origin gets through.
func TestFormRefusesForeignOrigin(t *testing.T) {
	form, err := ServeForm(context.Background(), agentInbox(t), FormOptions{Timeout: time.Minute})
	require.NoError(t, err)
	t.Cleanup(func() { form.Close() })
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	client := &http.Client{Jar: jar}

	res, err := client.Get(form.URL())
	require.NoError(t, err)
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	require.NotNil(t, m, "the form carries its CSRF token")
	u, err := url.Parse(form.URL())
	require.NoError(t, err)
	require.Len(t, jar.Cookies(u), 1, "the page set the session cookie")
	own := "http://" + u.Host
	body := url.Values{"csrf": {string(m[1])}, "f3": {"sk-or-v1-" + strings.Repeat("ab", 32)}}

	submit := func(origin, site string) int {
		req, err := http.NewRequest(http.MethodPost, own+"/submit", strings.NewReader(body.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		res, err := client.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	for _, origin := range []string{"http://evil.example", "null", "https://" + u.Host, "http://localhost:" + u.Port(), ""} {
		assert.Equal(t, http.StatusForbidden, submit(origin, ""), "Origin %q", origin)
	}
	assert.Equal(t, http.StatusForbidden, submit(own, "cross-site"), "same Origin, but Sec-Fetch-Site says cross-site")
	select {
	case <-waitDone(form):
		t.Fatal("a refused submission completed the form")
	default:
	}
	assert.Equal(t, http.StatusOK, submit(own, "same-origin"), "the same cookie, token and answers from the form's own origin")
	answers, err := form.Wait()
	require.NoError(t, err)
	assert.Len(t, answers, 1)
}

// waitDone is closed when the form has its answers or has failed.
func waitDone(f *Form) <-chan struct{} {
	done := make(chan struct{})
	go func() { _, _ = f.Wait(); close(done) }()
	time.Sleep(50 * time.Millisecond)
	return done
}
