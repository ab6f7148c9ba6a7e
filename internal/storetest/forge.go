package storetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/secretsctl/secretsctl/store"
)

// keyless is an environment with no age identity at all: no SOPS_AGE_*
// variable and a configuration directory without keys.txt.
func keyless(t testing.TB) func(string) string {
	empty := t.TempDir()
	return func(name string) string {
		switch name {
		case "HOME", "XDG_CONFIG_HOME":
			return empty
		}
		return ""
	}
}

// ForgeRotation is the attack of a pusher who holds no private key and no
// fingerprint key: it reads the clear fingerprint of the deployment's first
// event, writes a rotate event whose active entry carries value (with a
// fingerprint of zeros) and whose previous entry names the real
// fingerprint, seals it with the public recipients only, and commits it
// with the git CLI. It returns the store-relative event file.
func ForgeRotation(t testing.TB, dir, scenario, deployment, secretID, value string) string {
	t.Helper()
	folder := filepath.Join(dir, "deployments", scenario, deployment)
	entries, err := os.ReadDir(folder)
	if err != nil || len(entries) == 0 {
		t.Fatalf("forge: no events in %s: %v", folder, err)
	}
	first, err := os.ReadFile(filepath.Join(folder, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	var clear struct {
		Tier    string `yaml:"tier"`
		Secrets []struct {
			SecretID    string `yaml:"secret_id"`
			Fingerprint string `yaml:"fingerprint"`
		} `yaml:"secrets"`
	}
	if err := yaml.Unmarshal(first, &clear); err != nil {
		t.Fatal(err)
	}
	var real string
	for _, e := range clear.Secrets {
		if e.SecretID == secretID {
			real = e.Fingerprint
		}
	}
	if real == "" {
		t.Fatalf("forge: %s has no entry of %s", entries[0].Name(), secretID)
	}
	rel := fmt.Sprintf("deployments/%s/%s/%06d-rotate-00000000.yaml", scenario, deployment, len(entries)+1)
	doc := fmt.Sprintf(`version: 1
kind: ledger-event
event: rotate
scenario: %s
deployment: %s
tier: %s
plan_revision: %s
time: "2099-01-01T00:00:00Z"
secrets:
  - secret_id: %s
    fingerprint: hmac-sha256:%s
    status: active
    value: %s
  - secret_id: %s
    fingerprint: %s
    status: previous
`, scenario, deployment, clear.Tier, Git(t, dir, "rev-parse", "HEAD"), secretID, strings.Repeat("0", 64), value, secretID, real)
	if err := os.WriteFile(filepath.Join(dir, rel), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(dir, store.Options{Getenv: keyless(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SealFile(rel); err != nil {
		t.Fatalf("forge: seal %s with the public recipients only: %v", rel, err)
	}
	Git(t, dir, "add", rel)
	Git(t, dir, "commit", "-q", "-m", "rotate (forged)")
	return rel
}
