package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/internal/bundlescan/bundletest"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

// redisCanary is a test value for redis/REDIS_PASSWORD (redis is used by
// appointment-reminders, not by picker-wheel) that every encoding changes:
// the run of "~" makes base64 and base64url differ at every alignment.
const redisCanary = "R-canary/é<x>&\"q=+~~~~ redis"

// storeWithRedis is the example store with redis/REDIS_PASSWORD set in its
// filesystem vault.
func storeWithRedis(t *testing.T) string {
	t.Helper()
	dir := storetest.NewExample(t)
	st, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	_, err = resolve.Set(context.Background(), st, "redis/REDIS_PASSWORD", redisCanary,
		resolve.WriteOptions{Author: store.Author{Name: "test", Email: "test@example.com"}, Getenv: os.Getenv})
	require.NoError(t, err)
	return dir
}

// leakyBundle writes a bundle carrying v in every form of the corpus, each
// in its own file, and raw inside nested archives: an .asar in a zip, and a
// .jar in a tar.gz. It returns the file each finding must name, with the
// encoding.
func leakyBundle(t *testing.T, v []byte) (string, map[string]bundlescan.Encoding) {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{}
	want := map[string]bundlescan.Encoding{}
	for _, f := range bundletest.Forms() {
		name := "forms/" + f.Name + ".txt"
		files[name] = append(append(bundletest.Filler(300), f.Encode(v)...), bundletest.Filler(300)...)
		want[name] = bundlescan.Encoding(f.Encoding)
	}
	asar := bundletest.Asar(t, map[string][]byte{"config/.env": append([]byte("REDIS=\""), append(v, '"')...)})
	files["app.zip"] = bundletest.Zip(t, map[string][]byte{"resources/app.asar": asar}, 8)
	want["app.zip!/resources/app.asar!/config/.env"] = bundlescan.Raw
	jar := bundletest.Zip(t, map[string][]byte{"application.properties": append([]byte("redis.password="), v...)}, 8)
	files["lib.tar.gz"] = bundletest.Gzip(t, bundletest.Tar(t, map[string][]byte{"lib/inner.jar": jar}))
	want["lib.tar.gz!/lib/inner.jar!/application.properties"] = bundlescan.Raw
	bundletest.WriteTree(t, dir, files)
	return dir, want
}

// runStoreVB runs verify-bundle on picker-wheel's desktop plan with the
// real sources, in JSON.
func runStoreVB(t *testing.T, dir, bundle string, mod func(*verifyBundleOptions)) (bundleJSON, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: os.Getenv, cwd: dir}
	opts := verifyBundleOptions{Scenario: "picker-wheel", Tier: "desktop", Path: bundle, Format: "json",
		resolve: bundleValues(e), storeValues: storeValues(e, true)}
	if mod != nil {
		mod(&opts)
	}
	code := report(&errOut, runVerifyBundle(context.Background(), opts, e))
	assert.NotContains(t, out.String()+errOut.String(), "R-canary", "a value in the output")
	var rep bundleJSON
	if out.Len() > 0 {
		require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	}
	return rep, errOut.String(), code
}

type bundleJSON struct {
	ScanSet  scanSummary          `json:"scan_set"`
	Findings []bundlescan.Finding `json:"findings"`
}

// test that a picker-wheel desktop bundle carrying redis's password, in
// every encoding of the corpus and inside nested archives, fails naming the
// redis secret; and that --scope scenario reproduces the narrower set, which
// misses it.
func TestVerifyBundleLooksForEveryStoreValue(t *testing.T) {
	dir := storeWithRedis(t)
	bundle, want := leakyBundle(t, []byte(redisCanary))

	rep, errOut, code := runStoreVB(t, dir, bundle, nil)
	require.Equal(t, ExitCheckFailed, code, errOut)
	got := map[string]bundlescan.Encoding{}
	for _, f := range rep.Findings {
		if f.Secret == "redis/REDIS_PASSWORD" {
			assert.Empty(t, f.Deployment)
			got[f.File] = f.Encoding
		}
	}
	assert.Equal(t, want, got)
	assert.Equal(t, scopeStore, rep.ScanSet.Scope)
	assert.Contains(t, rep.ScanSet.From, scanOrigin{Origin: "from source filesystem", Values: 1},
		"redis's password is the one store value picker-wheel's own set lacks")

	rep, errOut, code = runStoreVB(t, dir, bundle, func(o *verifyBundleOptions) { o.Scope = scopeScenario })
	assert.Equal(t, ExitOK, code, errOut)
	assert.Empty(t, rep.Findings)
	assert.Equal(t, []scanOrigin{{Origin: "of the scenario", Values: rep.ScanSet.Values}}, rep.ScanSet.From)
}

// test that a non-optional source that cannot be read is a warning naming
// it, and an error with --strict; an optional one is only counted.
func TestVerifyBundleUnreadableSource(t *testing.T) {
	dir := storeWithRedis(t)
	sources := filepath.Join(t.TempDir(), "sources.yaml")
	require.NoError(t, os.WriteFile(sources, []byte(`version: 1
sources:
  - kind: filesystem
  - name: broken
    kind: dotenv
    path: /nonexistent/secretsctl-test/workspace.env
  - name: maybe
    kind: dotenv
    path: /nonexistent/secretsctl-test/other.env
    optional: true
`), 0o644))
	t.Setenv("SECRETSCTL_SOURCES_FILE", sources)
	bundle := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bundle, "index.html"), []byte("<html>ok</html>"), 0o644))
	scenarioOnly := func(o *verifyBundleOptions) { o.resolve = mapValues(testValues) }

	rep, errOut, code := runStoreVB(t, dir, bundle, scenarioOnly)
	assert.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, errOut, "secretsctl: warning: source broken could not be read, its values were not looked for: "+
		`dotenv source "broken": /nonexistent/secretsctl-test/workspace.env: no such file`)
	require.Len(t, rep.ScanSet.Unreadable, 1)
	assert.Equal(t, "source broken", rep.ScanSet.Unreadable[0].What)
	require.Len(t, rep.ScanSet.Skipped, 1)
	assert.Equal(t, "source maybe", rep.ScanSet.Skipped[0].What)

	_, errOut, code = runStoreVB(t, dir, bundle, func(o *verifyBundleOptions) { scenarioOnly(o); o.Strict = true })
	assert.Equal(t, ExitError, code)
	assert.Contains(t, errOut, "secretsctl: --strict: the values of 1 sources or deployments could not be read")
	assert.Contains(t, errOut, "secretsctl:   source broken: ")
}
