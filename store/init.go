package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"filippo.io/age"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// InitResult says what [Init] did.
type InitResult struct {
	Dir            string
	CreatedRepo    bool
	KeyFile        string // the age identity file created, "" when one was configured
	Recipient      string // the age recipient documents are encrypted to; "" when .sops.yaml was there and no age identity is loaded
	AlreadyInitial bool   // the store existed; only its git setup was completed
	Commit         Commit
	// Git is what was added to the repository's git setup: .gitattributes
	// (the merge driver for documents), .gitignore (plaintext kept out) and
	// the merge driver in .git/config.
	Git GitSetup
}

// Init makes dir a store: a git repository if there is none, an age identity
// in the user's sops config dir when no key is configured, .sops.yaml,
// secretsctl.yaml, .gitattributes and .gitignore, and one commit; it
// registers the merge driver in the repository's config. On an existing
// store it only adds what its git setup lacks (lines of .gitattributes and
// .gitignore, written but not committed; the merge driver), idempotently.
func Init(ctx context.Context, dir string, author Author, opts Options) (*InitResult, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	res := &InitResult{Dir: abs}
	if _, err := os.Stat(filepath.Join(abs, ConfigFile)); err == nil {
		res.AlreadyInitial = true
		res.Git, err = setupExisting(abs)
		return res, err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, err
	}
	repo, created, err := gitrepo.Init(abs)
	if err != nil {
		return nil, fmt.Errorf("init git repository in %s: %w", abs, err)
	}
	res.CreatedRepo = created
	s, err := newStore(abs, repo, opts)
	if err != nil {
		return nil, err
	}
	// A .sops.yaml already there names the keys (of any type sops knows);
	// otherwise the store is encrypted to an age identity, created if none
	// is configured.
	_, statErr := os.Stat(filepath.Join(abs, ".sops.yaml"))
	haveRules := !errors.Is(statErr, fs.ErrNotExist)
	if s.keys.Empty() && !haveRules {
		if res.KeyFile, err = createIdentity(opts.getenv()); err != nil {
			return nil, err
		}
		if s.keys, err = sopsfile.LoadKeyring(opts.getenv()); err != nil {
			return nil, err
		}
	}
	if r := s.keys.Recipients(); len(r) > 0 {
		res.Recipient = r[0]
	}
	files := map[string][]byte{".sops.yaml": DefaultCreationRules(res.Recipient)}
	if haveRules {
		// Committed as it is (a no-op when git already tracks it), so
		// that the first revision has the rules its documents follow.
		if files[".sops.yaml"], err = os.ReadFile(filepath.Join(abs, ".sops.yaml")); err != nil {
			return nil, fmt.Errorf("read creation rules: %w", err)
		}
	}
	if err := res.Git.addFiles(abs, files); err != nil {
		return nil, err
	}
	c, _, err := s.Commit(ctx, Change{
		Documents: map[string]any{ConfigFile: DefaultConfig()},
		Files:     files,
		Message:   Message{Subject: "init: create secretsctl store", Action: "init"},
		Author:    author,
	})
	if err != nil {
		return nil, err
	}
	res.Commit = c
	res.Git.Driver, err = registerDriver(repo)
	return res, err
}

// DefaultConfig is the secretsctl.yaml a new store starts with: the
// built-in tiers and a policy that strips infrastructure secrets wherever a
// tier ships to end users.
func DefaultConfig() *Config {
	strip := Strategy{Strategy: Strip, Reason: "infrastructure secrets never ship to end users"}
	return &Config{
		Version: DocumentVersion,
		Policy: Policy{Defaults: map[Classification]map[string]Strategy{
			Infrastructure: {TierDesktop: strip, TierMobile: strip},
		}},
	}
}

// DefaultCreationRules is the .sops.yaml of a new store: values under vault/
// and deployments/ are encrypted whole; in other documents only fields named
// value, values or data are, so metadata stays readable in diffs. The MAC
// covers every value either way.
func DefaultCreationRules(recipient string) []byte {
	return fmt.Appendf(nil, `# SOPS creation rules for this secretsctl store (standard sops format).
creation_rules:
  - path_regex: (^|/)(vault|deployments)/.*\.yaml$
    unencrypted_regex: ^(version|kind|scope|scenario|deployment|tier|event|secret_id|generator|fingerprint|plan_revision|status|time|reason)$
    age: %s
  - path_regex: \.yaml$
    encrypted_regex: ^(value|values|data)$
    age: %s
`, recipient, recipient)
}

// createIdentity writes a new age identity where sops looks by default and
// returns its path.
func createIdentity(getenv func(string) string) (string, error) {
	path, err := sopsfile.DefaultKeyFile(getenv)
	if err != nil {
		return "", err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	content := fmt.Sprintf("# created by secretsctl init\n# public key: %s\n%s\n", id.Recipient(), id)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("create age identity: %w", err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return "", fmt.Errorf("write age identity %s: %w", path, err)
	}
	return path, f.Close()
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secretsctl-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
