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
	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// sopsCLI finds the real sops binary; CI must have it (scripts/test-deps.sh).
func sopsCLI(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("SECRETSCTL_TOOLS_BIN"); bin != "" {
		if p := filepath.Join(bin, "sops"); fileExists(p) {
			return p
		}
	}
	p, err := exec.LookPath("sops")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the sops CLI is required in CI: scripts/test-deps.sh installs it")
		}
		t.Skip("sops CLI not installed; run `make test` (scripts/test-deps.sh installs it)")
	}
	return p
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func runSops(t *testing.T, sops, dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(sops, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SOPS_DISABLE_VERSION_CHECK=1")
	return cmd.Output()
}

func yamlValue(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(data, &v))
	return v
}

// Every file the store writes decrypts with the sops CLI to what the store
// meant to write.
func TestStoreFilesDecryptWithSopsCLI(t *testing.T) {
	sops := sopsCLI(t)
	storetest.Isolate(t)
	dir := filepath.Join(t.TempDir(), "store")
	_, err := store.Init(context.Background(), dir, store.Author{}, store.Options{})
	require.NoError(t, err)
	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	res := &store.Resource{Version: 1, Name: "redis", Description: "cache", Secrets: []store.Secret{{
		Key: "REDIS_PASSWORD", Classification: store.Infrastructure, Required: true,
		Strategies: map[string]store.Strategy{store.TierSaaS: {Strategy: store.Generate, At: store.AtBundle,
			Generator: &store.Generator{Type: "hex", Bytes: 24}}},
	}}}
	vault := map[string]any{"version": 1, "scope": "local", "values": map[string]any{"redis/REDIS_PASSWORD": "s3cret-value"}}
	_, _, err = s.Commit(context.Background(), store.Change{
		Documents: map[string]any{"resources/redis.yaml": res, "vault/local.yaml": vault},
		Message:   store.Message{Subject: "add redis", Action: "edit"},
	})
	require.NoError(t, err)

	want := map[string]any{"resources/redis.yaml": res, "vault/local.yaml": vault, "secretsctl.yaml": store.DefaultConfig()}
	for rel, doc := range want {
		t.Run(rel, func(t *testing.T) {
			out, err := runSops(t, sops, dir, "decrypt", rel)
			require.NoError(t, err, "sops decrypt %s", rel)
			plain, err := store.EncodeYAML(doc)
			require.NoError(t, err)
			got := yamlValue(t, out).(map[string]any)
			assert.Regexp(t, `^v1:`, got[store.SealKey], "secretsctl seals what it writes")
			delete(got, store.SealKey)
			assert.Equal(t, yamlValue(t, plain), got)
		})
	}
	enc, err := os.ReadFile(filepath.Join(dir, "vault", "local.yaml"))
	require.NoError(t, err)
	assert.NotContains(t, string(enc), "s3cret-value")
	assert.Contains(t, string(enc), "scope: local", "metadata stays readable")
}

// A document created with the sops CLI (using the store's .sops.yaml) is
// read by secretsctl and verified.
func TestSopsCLIFilesAreRead(t *testing.T) {
	sops := sopsCLI(t)
	dir := storetest.NewExample(t)
	plain := "version: 1\nname: minio\ndescription: object storage\nsecrets:\n  - key: MINIO_ROOT_PASSWORD\n    classification: infrastructure\n    strategies:\n      saas: {strategy: delegate, delegate: {provider: vault, reference: secret/data/minio}}\n"
	path := filepath.Join(dir, "resources", "minio.yaml")
	require.NoError(t, os.WriteFile(path, []byte(plain), 0o644))
	_, err := runSops(t, sops, dir, "encrypt", "-i", "resources/minio.yaml")
	require.NoError(t, err)
	enc, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, strings.Contains(string(enc), "mac: ENC["), "sops wrote a MAC")
	storetest.Git(t, dir, "add", "-A")
	storetest.Git(t, dir, "commit", "-q", "-m", "minio via sops")

	s, err := store.Open(dir, store.Options{})
	require.NoError(t, err)
	sn, err := s.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	r, err := sn.Resource("minio")
	require.NoError(t, err)
	assert.Equal(t, "MINIO_ROOT_PASSWORD", r.Secrets[0].Key)
	assert.Equal(t, "vault", r.Secrets[0].Strategies[store.TierSaaS].Delegate.Provider)
	assert.Equal(t, store.IntegrityVerified, sn.Integrity())
}
