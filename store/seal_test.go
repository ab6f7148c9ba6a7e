package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// numstat is `git diff --numstat` of one file as added and deleted lines.
func numstat(t *testing.T, dir string, args ...string) (added, deleted int) {
	t.Helper()
	out := storetest.Git(t, dir, append([]string{"diff", "--numstat"}, args...)...)
	_, err := fmt.Sscanf(out, "%d %d", &added, &deleted)
	require.NoError(t, err, "numstat: %q", out)
	return added, deleted
}

// changedKeys lists the keys of the lines a diff adds.
func changedKeys(diff string) []string {
	var keys []string
	for _, m := range regexp.MustCompile(`(?m)^\+\s*([A-Za-z_/]+):`).FindAllStringSubmatch(diff, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

// TestCommitKeepsDataKey: a commit that changes one value of a vault file
// (as set does) and one strategy of a resource keeps each file's data key:
// the diff is that value's line, the seal, lastmodified and mac.
func TestCommitKeepsDataKey(t *testing.T) {
	s, dir := openExample(t)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	v, err := sn.Vault("local")
	require.NoError(t, err)
	values := map[string]string{}
	for k, val := range v.Values {
		values[k] = val
	}
	const canary = "CANARY-3c9e-kept-key"
	values["postgres/POSTGRES_PASSWORD"] = canary
	r, err := sn.Resource("redis")
	require.NoError(t, err)
	changed := *r
	changed.Description = "Redis cache, queue and locks"
	_, ok, err := s.Commit(context.Background(), store.Change{
		Documents: map[string]any{"vault/local.yaml": &store.Vault{Version: v.Version, Scope: v.Scope, Values: values}, "resources/redis.yaml": &changed},
		Message:   store.Message{Subject: "test", Action: "set"},
	})
	require.NoError(t, err)
	require.True(t, ok)

	for file, key := range map[string]string{"vault/local.yaml": "postgres/POSTGRES_PASSWORD", "resources/redis.yaml": "description"} {
		diff := storetest.Git(t, dir, "diff", "HEAD~1", "--", file)
		assert.ElementsMatch(t, []string{key, "secretsctl_seal", "lastmodified", "mac"}, changedKeys(diff), "%s:\n%s", file, diff)
		assert.NotContains(t, diff, canary)
	}
}

// TestSealFileKeepsDataKeyOfHEAD: a plaintext written over a committed
// document (sops decrypt -i, say) is sealed with the committed data key.
func TestSealFileKeepsDataKeyOfHEAD(t *testing.T) {
	s, dir := openExample(t)
	d, err := s.OpenDraft("resources/redis.yaml")
	require.NoError(t, err)
	plain := strings.Replace(string(d.Plaintext()), "Redis cache and queue", "Redis cache", 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "resources", "redis.yaml"), []byte(plain), 0o644))
	require.NoError(t, s.SealFile("resources/redis.yaml"))
	added, deleted := numstat(t, dir, "--", "resources/redis.yaml")
	assert.LessOrEqual(t, added, 4)
	assert.LessOrEqual(t, deleted, 4)
}

// TestDraftSaveValidates: Save refuses what ValidateForSeal refuses, and
// writes nothing.
func TestDraftSaveValidates(t *testing.T) {
	s, dir := openExample(t)
	path := filepath.Join(dir, "scenarios", "picker-wheel.yaml")
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	d, err := s.OpenDraft("scenarios/picker-wheel.yaml")
	require.NoError(t, err)
	bad := strings.Replace(string(d.Plaintext()), "name: postgres", "name: postgress", 1)
	err = d.Save([]byte(bad))
	var de *store.DocumentError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "scenarios/picker-wheel.yaml", de.File)
	assert.Positive(t, de.Line)
	assert.Equal(t, err, s.ValidateForSeal("scenarios/picker-wheel.yaml", []byte(bad)))
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", d, d, d, d), "postgres")
}

// TestRekeyFile: rekey encrypts the data key to the recipients of
// .sops.yaml, keeping every value's ciphertext; the content stays the same.
func TestRekeyFile(t *testing.T) {
	s, dir := openExample(t)
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	rules := filepath.Join(dir, ".sops.yaml")
	data, err := os.ReadFile(rules)
	require.NoError(t, err)
	old := regexp.MustCompile(`age: (age1\w+)`).FindStringSubmatch(string(data))[1]
	data = []byte(strings.ReplaceAll(string(data), "age: "+old, "age: "+old+","+id.Recipient().String()))
	require.NoError(t, os.WriteFile(rules, data, 0o644))

	before, err := s.OpenDraft("vault/local.yaml")
	require.NoError(t, err)
	res, err := s.RekeyFile("vault/local.yaml")
	require.NoError(t, err)
	assert.Equal(t, store.RekeyResult{File: "vault/local.yaml", Recipients: []string{old, id.Recipient().String()},
		Added: []string{id.Recipient().String()}}, res)
	diff := storetest.Git(t, dir, "diff", "--", "vault/local.yaml")
	assert.NotRegexp(t, `(?m)^[-+]\s+postgres/POSTGRES_PASSWORD: ENC`, diff, "values keep their ciphertexts")
	assert.Regexp(t, `(?m)^\+\s+recipient: `+id.Recipient().String(), diff, "and encrypted to the new one")
	after, err := s.OpenDraft("vault/local.yaml")
	require.NoError(t, err)
	assert.Equal(t, before.Plaintext(), after.Plaintext())

	files, err := s.DocumentFiles()
	require.NoError(t, err)
	assert.Contains(t, files, "secretsctl.yaml")
	assert.Contains(t, files, "resources/redis.yaml")
	assert.Contains(t, files, "vault/local.yaml")
}
