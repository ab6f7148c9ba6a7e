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
// event on the ledger branch, writes a rotate event whose active entry
// carries value (with a fingerprint of zeros) and whose previous entry
// names the real fingerprint, seals it with the public recipients only,
// and commits it onto the ledger branch with the git CLI's plumbing, as
// anyone allowed to push that branch could. It returns the store-relative
// event file.
func ForgeRotation(t testing.TB, dir, scenario, deployment, secretID, value string) string {
	t.Helper()
	const branch = "secretsctl/ledger"
	folder := "deployments/" + scenario + "/" + deployment
	names := strings.Fields(Git(t, dir, "ls-tree", "--name-only", branch+":"+folder))
	if len(names) == 0 {
		t.Fatalf("forge: no events in %s on %s", folder, branch)
	}
	first := Git(t, dir, "show", branch+":"+folder+"/"+names[0])
	var clear struct {
		Tier    string `yaml:"tier"`
		Secrets []struct {
			SecretID    string `yaml:"secret_id"`
			Fingerprint string `yaml:"fingerprint"`
		} `yaml:"secrets"`
	}
	if err := yaml.Unmarshal([]byte(first), &clear); err != nil {
		t.Fatal(err)
	}
	var real string
	for _, e := range clear.Secrets {
		if e.SecretID == secretID {
			real = e.Fingerprint
		}
	}
	if real == "" {
		t.Fatalf("forge: %s has no entry of %s", names[0], secretID)
	}
	rel := fmt.Sprintf("%s/%06d-rotate-00000000.yaml", folder, len(names)+1)
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
	sealed := sealKeyless(t, dir, rel, doc)
	CommitOnBranch(t, dir, branch, rel, sealed)
	return rel
}

// sealKeyless seals a plaintext document with the store's creation rule
// for rel and the public recipients only, and returns the sealed bytes; the
// work tree is left as it was.
func sealKeyless(t testing.TB, dir, rel, doc string) []byte {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(filepath.Join(dir, "deployments"))
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(dir, store.Options{Getenv: keyless(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SealFile(rel); err != nil {
		t.Fatalf("forge: seal %s with the public recipients only: %v", rel, err)
	}
	sealed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

// CommitOnBranch adds (or, with nil data, removes) one file of branch in
// a new commit, with the git CLI through a temporary index, as anyone
// allowed to push the branch could: HEAD, the index and the work tree stay
// as they were.
func CommitOnBranch(t testing.TB, dir, branch, rel string, data []byte) {
	t.Helper()
	index := filepath.Join(t.TempDir(), "index")
	t.Setenv("GIT_INDEX_FILE", index)
	parent := Git(t, dir, "rev-parse", branch)
	Git(t, dir, "read-tree", parent)
	if data == nil {
		Git(t, dir, "update-index", "--force-remove", rel)
	} else {
		blobFile := filepath.Join(t.TempDir(), "blob")
		if err := os.WriteFile(blobFile, data, 0o644); err != nil {
			t.Fatal(err)
		}
		blob := Git(t, dir, "hash-object", "-w", blobFile)
		Git(t, dir, "update-index", "--add", "--cacheinfo", "100644,"+blob+","+rel)
	}
	tree := Git(t, dir, "write-tree")
	os.Unsetenv("GIT_INDEX_FILE")
	commit := Git(t, dir, "commit-tree", tree, "-p", parent, "-m", "rotate (forged)")
	Git(t, dir, "update-ref", "refs/heads/"+branch, commit, parent)
}
