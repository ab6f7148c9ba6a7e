package main

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// The dashboard's end-to-end tests run the real `secretsctl serve` (this
// test binary, as testscript puts it on $PATH) on a copy of the example
// store and drive the page in real headless Chromium.

// chromium returns the browser to drive: $SECRETSCTL_CHROMIUM, else
// chromium or chromium-browser on $PATH. Without one the test skips, or
// fails when CI is set.
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SECRETSCTL_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is required in CI: scripts/test-deps.sh installs it")
	}
	t.Skip("chromium not installed; run `make test` (scripts/test-deps.sh installs it)")
	return ""
}

// artifactsDir is where screenshots go: $SECRETSCTL_ARTIFACTS (relative to
// the repository root), else cmd/secretsctl/testdata/artifacts, which git
// ignores.
func artifactsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SECRETSCTL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("cmd", "secretsctl", "testdata", "artifacts")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(storetest.Root(), dir)
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// startUIServer starts `secretsctl serve` in dir on a free loopback port and
// returns its base URL; the server gets SIGTERM when the test ends.
func startUIServer(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("secretsctl", append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	addr := make(chan string, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		re := regexp.MustCompile(`serving .* on (http://127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { wg.Wait(); done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "serve exits 0 on SIGTERM")
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("serve did not stop within 10 s of SIGTERM")
		}
	})
	select {
	case u := <-addr:
		return u
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not announce its address within 30 s")
		return ""
	}
}

// browser starts headless Chromium with a fresh profile and returns a
// context to drive it, and the list of every URL the page requested.
func browser(t testing.TB) (context.Context, *requestLog) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	log := &requestLog{}
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			log.add(e.Request.URL)
		case network.EventRequestWillBeSent:
			log.add(e.Request.URL)
		}
	}))
	return ctx, log
}

type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *requestLog) add(u string) { l.mu.Lock(); l.urls = append(l.urls, u); l.mu.Unlock() }

// checkOnlyAPI asserts the page fetched only its own assets and the JSON
// API, on the server's origin.
func (l *requestLog) checkOnlyAPI(t *testing.T, base string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotEmpty(t, l.urls)
	for _, raw := range l.urls {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		assert.Equal(t, base, u.Scheme+"://"+u.Host, "request to another origin: %s", raw)
		assert.True(t, strings.HasPrefix(u.Path, "/ui/") || strings.HasPrefix(u.Path, "/api/v1/"), "request outside /ui/ and /api/v1/: %s", raw)
	}
}

const (
	desktopCell = `td[data-scenario="picker-wheel"][data-tier="tier-2-desktop"]`
	loaded      = `#view[data-loaded="%s"]`
)

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := runOK(t, ctx, chromedp.FullScreenshot(100))
	path := filepath.Join(artifactsDir(t), name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

// runOK runs one action and returns its value; an error fails the test.
func runOK[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	require.NoError(t, err)
	return v
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, steps...))
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	return runOK(t, ctx, chromedp.Evaluate[T](js))
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	return runOK(t, ctx, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(runOK(t, ctx, chromedp.Text(chromedp.CSS(sel))))
}

func background(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).backgroundColor`, sel))
}

// choose selects value in a select element as a user would: the change
// event fires.
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SetValue(chromedp.CSS(sel), value),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event('change'))`, sel)),
	)
}

func waitView(name string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(loaded, name)))
}

// TestUIMatrixAndPlan: the known blocking cell (picker-wheel on desktop,
// where n8n/WEBHOOK_URL has no strategy) is red with 12/13, the counts and
// filters hold, and a click opens its plan with the blocking secret first.
func TestUIMatrixAndPlan(t *testing.T) {
	dir := storetest.NewExample(t)
	base := startUIServer(t, dir)
	ctx, reqs := browser(t)

	do(t, ctx, chromedp.Navigate(base+"/ui/"), waitView("matrix"))
	assert.Equal(t, "blocking", attr(t, ctx, desktopCell, "data-state"))
	assert.Equal(t, "✗ 12/13", text(t, ctx, desktopCell))
	assert.Equal(t, "rgb(255, 205, 210)", background(t, ctx, desktopCell), "blocking is red (#ffcdd2)")
	assert.Equal(t, "rgb(200, 230, 201)", background(t, ctx, `td[data-scenario="picker-wheel"][data-tier="tier-1-local"]`), "ready is green (#c8e6c9)")
	assert.Equal(t, "rgb(238, 238, 238)", background(t, ctx, `td[data-scenario="agent-inbox"][data-tier="tier-3-mobile"]`), "not shipped is grey (#eeeeee)")
	counts := text(t, ctx, "#counts")
	for _, want := range []string{"5 of 5 scenarios:", "16 ready", "1 blocking", "8 not shipped", "205 of 206 secrets strategized (99.5%)"} {
		assert.Contains(t, counts, want)
	}
	assert.Contains(t, text(t, ctx, "#legend"), "tier not shipped")
	screenshot(t, ctx, "ui-matrix.png")

	// the filters: by name, and by classification, which counts only that
	// classification's secrets in each cell
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#filter-name"), "picker"), choose("#filter-class", "service"))
	assert.Equal(t, 1, eval[int](t, ctx, `document.querySelectorAll('#matrix tbody tr').length`))
	assert.Equal(t, "✗ 4/5", text(t, ctx, desktopCell), "4 of picker-wheel's 5 service secrets have a strategy on desktop")
	assert.Contains(t, text(t, ctx, "#counts"), "1 of 5 scenarios:")
	do(t, ctx, choose("#filter-class", "user"))
	assert.Equal(t, "ready", attr(t, ctx, desktopCell, "data-state"), "no user secret blocks picker-wheel on desktop")
	assert.Equal(t, "✓ 3/3", text(t, ctx, desktopCell))

	// a click on the blocking cell opens its plan, blocking secret first
	do(t, ctx, choose("#filter-class", ""), chromedp.Click(chromedp.CSS(desktopCell+" a")), waitView("plan"))
	assert.Equal(t, "picker-wheel on tier-2-desktop", text(t, ctx, "#plan-title"))
	assert.Equal(t, "blocking", attr(t, ctx, "#plan-verdict", "data-verdict"), "an optional secret blocks: not ready, not blocked")
	assert.Contains(t, text(t, ctx, "#plan-verdict"), "optional n8n/WEBHOOK_URL blocks the plan and stays out of the bundle")
	assert.Equal(t, 13, eval[int](t, ctx, `document.querySelectorAll('#plan tbody tr').length`))
	first := "#plan tbody tr:first-child"
	assert.Equal(t, "n8n/WEBHOOK_URL", attr(t, ctx, first, "data-secret"))
	assert.Equal(t, "true", attr(t, ctx, first, "data-blocking"))
	firstText := text(t, ctx, first)
	assert.Contains(t, firstText, "unspecified")
	assert.Contains(t, firstText, "blocks the bundle: missing-strategy")
	assert.Equal(t, "false", attr(t, ctx, "#plan tbody tr:nth-child(2)", "data-blocking"))
	assert.Contains(t, text(t, ctx, `#plan tr[data-secret="n8n/N8N_ENCRYPTION_KEY"]`),
		"generated by the app on first start (random), writes file config/n8n.env")
	screenshot(t, ctx, "ui-plan.png")
	reqs.checkOnlyAPI(t, base)
}

// TestUICompare: "compare with" shows the strategy change between two
// commits, picked with the revision pickers.
func TestUICompare(t *testing.T) {
	dir := storetest.NewExample(t)
	storetest.Git(t, dir, "tag", "before")
	commitStrategyChange(t, dir)
	base := startUIServer(t, dir)
	ctx, reqs := browser(t)

	do(t, ctx, chromedp.Navigate(base+"/ui/"), waitView("matrix"),
		chromedp.WaitReady(chromedp.CSS(`#base option[value="before"]`)),
		choose("#base", "before"), waitView("compare"))
	assert.Contains(t, text(t, ctx, "#diff-title"), "compared with before")
	assert.Equal(t, 2, eval[int](t, ctx, `document.querySelectorAll('section.plan-diff').length`),
		"picker-wheel and secure-document-processing ship postgres to enterprise")
	row := text(t, ctx, `section.plan-diff[data-scenario="picker-wheel"][data-tier="tier-5-enterprise"] tr[data-field="strategy"]`)
	assert.Regexp(t, `postgres/POSTGRES_PASSWORD\s+changed\s+strategy\s+delegate\s+strip`, row)
	screenshot(t, ctx, "ui-compare.png")
	reqs.checkOnlyAPI(t, base)
}

// commitStrategyChange commits one strategy change to the store in dir:
// postgres' password is stripped on enterprise instead of delegated.
func commitStrategyChange(t *testing.T, dir string) {
	t.Helper()
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	pg, err := sn.Resource("postgres")
	require.NoError(t, err)
	changed := *pg
	changed.Secrets = append([]store.Secret(nil), pg.Secrets...)
	pw := &changed.Secrets[3]
	require.Equal(t, "POSTGRES_PASSWORD", pw.Key)
	pw.Strategies = map[string]store.Strategy{}
	for k, v := range pg.Secrets[3].Strategies {
		pw.Strategies[k] = v
	}
	require.Equal(t, store.Delegate, pw.Strategies[store.TierEnterprise].Strategy)
	pw.Strategies[store.TierEnterprise] = store.Strategy{Strategy: store.Strip, Reason: "enterprise brings its own database"}
	_, ok, err := s.Commit(context.Background(), store.Change{
		Documents: map[string]any{"resources/postgres.yaml": &changed},
		Message:   store.Message{Subject: "postgres: strip the password on enterprise", Action: "edit"},
	})
	require.NoError(t, err)
	require.True(t, ok)
}

// TestUIBearerToken: with --token-file the page asks for the token, says
// when one is refused, keeps the accepted one in sessionStorage and sends it
// on every fetch; a reload does not ask again.
func TestUIBearerToken(t *testing.T) {
	dir := storetest.NewExample(t)
	const token = "ui-e2e-token-7f3a9c2e5b1d8f4a6c0e"
	tokens := filepath.Join(t.TempDir(), "tokens")
	require.NoError(t, os.WriteFile(tokens, []byte(token+"\n"), 0o600))
	base := startUIServer(t, dir, "--token-file", tokens)
	ctx, reqs := browser(t)

	do(t, ctx, chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(chromedp.CSS("#token-dialog[open]")),
		chromedp.SendKeys(chromedp.CSS("#token-input"), "wrong-token"),
		chromedp.Click(chromedp.CSS("#token-submit")))
	runOK(t, ctx, chromedp.Poll[bool](`document.querySelector('#token-dialog').open && document.querySelector('#token-message').textContent.includes('refused')`))
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#token-input"), token),
		chromedp.Click(chromedp.CSS("#token-submit")), waitView("matrix"))
	assert.Equal(t, token, eval[string](t, ctx, `sessionStorage.getItem('secretsctl.token')`))
	assert.False(t, eval[bool](t, ctx, `document.querySelector('#token-dialog').open`))
	assert.Equal(t, "blocking", attr(t, ctx, desktopCell, "data-state"))

	do(t, ctx, chromedp.Reload(), waitView("matrix"))
	assert.False(t, eval[bool](t, ctx, `document.querySelector('#token-dialog').open`), "the token is asked for once per session")
	assert.Equal(t, "✗ 12/13", text(t, ctx, desktopCell))
	reqs.checkOnlyAPI(t, base)
}

// TestUIDeployments: the deployments view lists what the ledger issued,
// reached from the navigation, and the page never holds a fingerprint.
func TestUIDeployments(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", storetest.DemoKeyFile())
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	res, err := (&ledger.Writer{Store: st}).Issue(context.Background(),
		ledger.IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: "acme-prod", Out: t.TempDir()})
	require.NoError(t, err)
	require.True(t, res.Committed)
	base := startUIServer(t, dir)
	ctx, reqs := browser(t)

	do(t, ctx, chromedp.Navigate(base+"/ui/"), waitView("matrix"),
		chromedp.Click(chromedp.CSS("#nav-deployments")), waitView("deployments"))
	row := text(t, ctx, `#deployments tr[data-deployment="picker-wheel/acme-prod"]`)
	assert.Regexp(t, `picker-wheel\s+acme-prod\s+tier-4-saas\s`, row)
	assert.Regexp(t, fmt.Sprintf(`\s%d\s+0\s+0$`, len(res.Changed)), strings.TrimSpace(row), "active, previous, revoked")
	html := eval[string](t, ctx, `document.documentElement.outerHTML`)
	assert.NotContains(t, html, "hmac-sha256:")
	screenshot(t, ctx, "ui-deployments.png")
	reqs.checkOnlyAPI(t, base)
}
