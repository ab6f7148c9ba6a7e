package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// TestPromptWebEndToEnd runs `prompt --web` and submits its form like a
// browser on the same origin would; the canary value reaches the keystore
// and no output.
func TestPromptWebEndToEnd(t *testing.T) {
	dir := storetest.NewExample(t)
	ksDir := filepath.Join(t.TempDir(), "keystore")
	getenv := func(k string) string {
		if k == "SOPS_AGE_KEY_FILE" {
			return storetest.DemoKeyFile()
		}
		return os.Getenv(k)
	}
	var out, errOut storetest.SyncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: getenv, cwd: dir}
	opts := promptOptions{Scenario: "agent-inbox", Tier: "desktop", App: "agent-inbox", Web: true, Format: "text",
		Keystore: "file", KeystoreDir: ksDir, Timeout: time.Minute}
	done := make(chan error, 1)
	go func() { done <- runPrompt(context.Background(), opts, e) }()

	link := regexp.MustCompile(`http://127\.0\.0\.1:\d+/p/[A-Za-z0-9_-]+`)
	deadline := time.Now().Add(30 * time.Second)
	for !link.MatchString(errOut.String()) {
		require.True(t, time.Now().Before(deadline), "no link on stderr: %s", errOut.String())
		time.Sleep(20 * time.Millisecond)
	}
	formURL := link.FindString(errOut.String())
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	res, err := client.Get(formURL)
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	require.NotNil(t, csrf)

	const canary = "sk-or-v1-" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	u, _ := url.Parse(formURL)
	body := url.Values{"csrf": {string(csrf[1])}, "f3": {canary}}
	req, _ := http.NewRequest(http.MethodPost, "http://"+u.Host+"/submit", strings.NewReader(body.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+u.Host)
	res, err = client.Do(req)
	require.NoError(t, err)
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(page))
	require.NoError(t, <-done)

	assert.Contains(t, out.String(), "stored openrouter/OPENROUTER_API_KEY in file")
	for _, s := range []string{out.String(), errOut.String(), string(page)} {
		assert.NotContains(t, s, canary)
	}
	ksFile, err := os.ReadFile(filepath.Join(ksDir, "agent-inbox.age"))
	require.NoError(t, err)
	assert.NotContains(t, string(ksFile), canary)

	var list bytes.Buffer
	e = &env{stdout: &list, stderr: io.Discard, getenv: getenv, cwd: dir}
	require.NoError(t, runPrompt(context.Background(), promptOptions{App: "agent-inbox", List: true, Format: "text", Keystore: "file", KeystoreDir: ksDir}, e))
	assert.Contains(t, list.String(), "openrouter/OPENROUTER_API_KEY")
}
