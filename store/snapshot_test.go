package store_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

func openExample(t *testing.T) (*store.Store, string) {
	t.Helper()
	dir := storetest.NewExample(t)
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	return s, dir
}

func TestSnapshotExample(t *testing.T) {
	s, dir := openExample(t)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, storetest.Git(t, dir, "rev-parse", "HEAD"), sn.Revision)
	assert.Equal(t, []string{"agent-inbox", "appointment-reminders", "bedtime-story-generator", "picker-wheel", "secure-document-processing"}, sn.ScenarioNames())
	assert.Equal(t, []string{"n8n", "ollama", "openrouter", "postgres", "redis", "twilio", "vault"}, sn.ResourceNames())
	require.NoError(t, sn.LoadAll(context.Background()))
	assert.Equal(t, store.IntegrityVerified, sn.Integrity())

	sc, err := sn.Scenario("bedtime-story-generator")
	require.NoError(t, err)
	assert.Equal(t, []string{store.TierLocal, store.TierDesktop, store.TierMobile}, sc.Tiers, "aliases are canonicalised")

	_, err = sn.Scenario("nope")
	var nf *store.NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, err.Error(), `scenario "nope" not found`)
	_, err = sn.Scenario("../secretsctl")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestSnapshotRevisions(t *testing.T) {
	s, dir := openExample(t)
	first := storetest.Git(t, dir, "rev-parse", "HEAD")
	storetest.Git(t, dir, "tag", "v1")
	storetest.Git(t, dir, "rm", "-q", "scenarios/agent-inbox.yaml")
	storetest.Git(t, dir, "commit", "-q", "-m", "drop agent-inbox")

	head, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	assert.NotContains(t, head.ScenarioNames(), "agent-inbox")
	for _, rev := range []string{"v1", "HEAD~1", first[:10]} {
		old, err := s.Snapshot(store.ReadOptions{Rev: rev})
		require.NoError(t, err, rev)
		assert.Equal(t, first, old.Revision)
		assert.Contains(t, old.ScenarioNames(), "agent-inbox")
	}
	_, err = s.Snapshot(store.ReadOptions{Rev: "no-such-branch"})
	require.ErrorIs(t, err, store.ErrNotFound)
	assert.Contains(t, err.Error(), "no-such-branch")

	// --worktree sees uncommitted files.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scenarios", "new.yaml"), []byte("x"), 0o644))
	wt, err := s.Snapshot(store.ReadOptions{Worktree: true})
	require.NoError(t, err)
	assert.Equal(t, store.WorktreeRevision, wt.Revision)
	assert.Contains(t, wt.ScenarioNames(), "new")
}

// tamper rewrites one line of a committed document without the key and
// commits it, as an attacker with push access could.
func tamper(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	path := filepath.Join(dir, rel)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
	storetest.Git(t, dir, "commit", "-q", "-am", "tamper")
}

func TestTamperedMetadataIsIntegrityError(t *testing.T) {
	s, dir := openExample(t)
	tamper(t, dir, "resources/postgres.yaml", "strategy: strip", "strategy: delegate")
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	_, err = sn.Resource("postgres")
	var ie *store.IntegrityError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "resources/postgres.yaml", ie.File)
	assert.Contains(t, err.Error(), "resources/postgres.yaml")
}

func TestTamperedCiphertextIsIntegrityError(t *testing.T) {
	s, dir := openExample(t)
	path := filepath.Join(dir, "resources", "redis.yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	i := strings.Index(string(data), "mac: ENC[AES256_GCM,data:") + len("mac: ENC[AES256_GCM,data:")
	flipped := []byte(string(data))
	if flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	require.NoError(t, os.WriteFile(path, flipped, 0o644))
	storetest.Git(t, dir, "commit", "-q", "-am", "tamper mac")
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	_, err = sn.Resource("redis")
	var ie *store.IntegrityError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "resources/redis.yaml", ie.File)
}

func TestWithoutKey(t *testing.T) {
	dir := storetest.NewExample(t)
	os.Unsetenv("SOPS_AGE_KEY_FILE")
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	assert.False(t, s.HasKey())

	_, err = s.Snapshot(store.ReadOptions{})
	var ke *store.KeyError
	require.ErrorAs(t, err, &ke, "reading without a key needs AllowUnverified")
	require.ErrorIs(t, err, store.ErrNoKey)

	sn, err := s.Snapshot(store.ReadOptions{AllowUnverified: true})
	require.NoError(t, err)
	require.NoError(t, sn.LoadAll(context.Background()))
	assert.Equal(t, store.IntegrityUnverified, sn.Integrity())
	r, err := sn.Resource("postgres")
	require.NoError(t, err)
	assert.Equal(t, store.Infrastructure, r.Secrets[0].Classification)
}

func TestPlaintextDocumentRejectedWithKey(t *testing.T) {
	s, dir := openExample(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "resources", "plain.yaml"), []byte("version: 1\nname: plain\nsecrets: []\n"), 0o644))
	storetest.Git(t, dir, "add", "-A")
	storetest.Git(t, dir, "commit", "-q", "-m", "plain")
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	_, err = sn.Resource("plain")
	var ie *store.IntegrityError
	require.ErrorAs(t, err, &ie)
	assert.Contains(t, err.Error(), "not SOPS-encrypted")
}

func TestScenarioReferencesMissingResource(t *testing.T) {
	s, dir := openExample(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scenarios", "broken.yaml"),
		[]byte("version: 1\nname: broken\nresources:\n  - name: postgres\n  - name: mysql\n"), 0o644))
	require.NoError(t, s.SealFile("scenarios/broken.yaml"))
	storetest.Git(t, dir, "add", "-A")
	storetest.Git(t, dir, "commit", "-q", "-m", "broken")
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	_, err = sn.Scenario("broken")
	var de *store.DocumentError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "scenarios/broken.yaml", de.File)
	assert.Equal(t, "resources[1].name", de.Field)
	assert.Contains(t, de.Reason, `resource "mysql" not found`)
}

func TestCommitWritesOneCommitWithTrailers(t *testing.T) {
	s, dir := openExample(t)
	before := storetest.Git(t, dir, "rev-list", "--count", "HEAD")
	c, ok, err := s.Commit(context.Background(), store.Change{
		Files: map[string][]byte{"plans/picker-wheel/tier-2-desktop.json": []byte("{}\n")},
		Message: store.Message{Subject: "plan: record picker-wheel on tier-2-desktop", Action: "plan-record",
			Scenarios: []string{"picker-wheel"}, Tiers: []string{"tier-2-desktop"}},
		Author: store.Author{Name: "Bot", Email: "bot@example.com"},
	})
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, c.Hash, storetest.Git(t, dir, "rev-parse", "HEAD"))
	assert.NotEqual(t, before, storetest.Git(t, dir, "rev-list", "--count", "HEAD"))
	trailers := storetest.Git(t, dir, "log", "-1", "--format=%(trailers:only,unfold)")
	assert.Equal(t, "Secretsctl-Action: plan-record\nSecretsctl-Scenario: picker-wheel\nSecretsctl-Tier: tier-2-desktop", trailers)
	assert.Equal(t, "Bot <bot@example.com>", storetest.Git(t, dir, "log", "-1", "--format=%an <%ae>"))
	assert.Empty(t, storetest.Git(t, dir, "status", "--porcelain"))
}

// A strategy change made through the store is a readable diff, and a value
// written to the store never appears in any git object.
func TestDiffReadableAndNoPlaintextInHistory(t *testing.T) {
	s, dir := openExample(t)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	r, err := sn.Resource("redis")
	require.NoError(t, err)
	changed := *r
	changed.Secrets = append([]store.Secret(nil), r.Secrets...)
	pw := &changed.Secrets[2]
	pw.Strategies = map[string]store.Strategy{}
	for k, v := range r.Secrets[2].Strategies {
		pw.Strategies[k] = v
	}
	pw.Strategies[store.TierEnterprise] = store.Strategy{Strategy: store.Strip, Reason: "enterprise brings its own redis"}

	const canary = "CANARY-b7e1d0a4-never-in-git"
	vault := map[string]any{"version": 1, "scope": "local", "values": map[string]any{"redis/REDIS_PASSWORD": canary}}
	_, ok, err := s.Commit(context.Background(), store.Change{
		Documents: map[string]any{"resources/redis.yaml": &changed, "vault/local.yaml": vault},
		Message:   store.Message{Subject: "redis: strip the password on enterprise", Action: "edit"},
	})
	require.NoError(t, err)
	require.True(t, ok)

	diff := storetest.Git(t, dir, "diff", "HEAD~1", "--", "resources/redis.yaml")
	assert.Regexp(t, `(?m)^-\s+strategy: delegate$`, diff)
	assert.Regexp(t, `(?m)^\+\s+strategy: strip$`, diff)
	assert.Regexp(t, `(?m)^\+\s+reason: enterprise brings its own redis$`, diff)

	assertNoBlobContains(t, dir, canary)
	vaultFile, err := os.ReadFile(filepath.Join(dir, "vault", "local.yaml"))
	require.NoError(t, err, "the vault document was written")
	kr, err := sopsfile.LoadKeyring(os.Getenv)
	require.NoError(t, err)
	plain, err := sopsfile.Decrypt(vaultFile, kr)
	require.NoError(t, err)
	assert.Contains(t, string(plain), canary, "and it decrypts to the value")

	sn, err = s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	r, err = sn.Resource("redis")
	require.NoError(t, err)
	assert.Equal(t, store.Strip, r.Secrets[2].Strategies[store.TierEnterprise].Strategy)
}

// assertNoBlobContains scans every object of the repository.
func assertNoBlobContains(t *testing.T, dir, needle string) {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err)
	require.NotEmpty(t, out)
	assert.NotContains(t, string(out), needle, "a value is in plaintext in git")
	require.Contains(t, string(out), "ENC[AES256_GCM", "sanity: the scan sees the encrypted documents")
}

// A change derived from an older revision is refused once the branch moved.
func TestCommitRefusesStaleParent(t *testing.T) {
	s, dir := openExample(t)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "NOTES"), []byte("x"), 0o644))
	storetest.Git(t, dir, "add", "NOTES")
	storetest.Git(t, dir, "commit", "-q", "-m", "someone else")
	_, ok, err := s.Commit(context.Background(), store.Change{
		Files:   map[string][]byte{"plans/x/tier-1-local.json": []byte("{}\n")},
		Message: store.Message{Subject: "plan: record", Action: "plan-record"},
		Parent:  sn.Revision,
	})
	require.ErrorIs(t, err, store.ErrConcurrentUpdate)
	assert.False(t, ok)
	assert.NoFileExists(t, filepath.Join(dir, "plans", "x", "tier-1-local.json"))
}
