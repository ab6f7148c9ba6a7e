package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
)

// ConfigFile is the name of the file that marks a store's root.
const ConfigFile = "secretsctl.yaml"

// Store is an opened store: a folder with secretsctl.yaml inside a git work
// tree, and the keys to read it.
type Store struct {
	dir    string // absolute store directory
	prefix string // store directory relative to the repository root, slash-separated, "" at the root
	repo   *gitrepo.Repo
	keys   *sopsfile.Keyring

	plain sync.Map // git blob id -> decrypted plaintext, for verified reads

	// fetchesAll is true for a replica, which fetches every branch: a
	// ledger branch it lacks is one the remote lacks.
	fetchesAll bool
}

// Options configures [Open] and [Init].
type Options struct {
	// Getenv reads the environment (SOPS_AGE_KEY_FILE, SOPS_AGE_KEY,
	// SOPS_AGE_KEY_CMD, XDG_CONFIG_HOME, HOME). os.Getenv when nil.
	Getenv func(string) string
	// GitTokenFile, for [OpenReplica], is a file holding the token an HTTPS
	// remote is given (as the basic-auth password), instead of the
	// credentials git would find; it is read again before every fetch.
	GitTokenFile string
	// SSHKeyFile and KnownHostsFile, for [OpenReplica], are the private key
	// (a deploy key) an SSH remote is given and the known_hosts file its
	// host key is checked against, instead of the SSH agent and
	// ~/.ssh/known_hosts.
	SSHKeyFile, KnownHostsFile string
}

func (o Options) getenv() func(string) string {
	if o.Getenv == nil {
		return os.Getenv
	}
	return o.Getenv
}

// Locate returns the store directory: explicit when it is set (it must
// contain secretsctl.yaml), otherwise the nearest directory at or above start
// that contains one.
func Locate(explicit, start string) (string, error) {
	if explicit != "" {
		abs, err := filepath.Abs(explicit)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(filepath.Join(abs, ConfigFile)); err != nil {
			return "", &NotFoundError{Kind: "store", Name: abs, Hint: "no " + ConfigFile + " there; run `secretsctl init` to create a store"}
		}
		return abs, nil
	}
	dir, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", &NotFoundError{Kind: "store", Name: start, Hint: "no " + ConfigFile + " here or above; use --store or SECRETSCTL_STORE"}
		}
		dir = parent
	}
}

// Open opens the store in dir, which must contain secretsctl.yaml and be
// inside a git work tree. Keys are loaded the way sops loads them.
func Open(dir string, opts Options) (*Store, error) {
	abs, err := Locate(dir, dir)
	if err != nil {
		return nil, err
	}
	repo, err := gitrepo.Open(abs)
	if err != nil {
		if errors.Is(err, gitrepo.ErrNotRepo) {
			return nil, &NotFoundError{Kind: "git work tree", Name: abs, Hint: "a store lives in a git repository; run `git init` there"}
		}
		return nil, fmt.Errorf("open store %s: %w", abs, err)
	}
	return newStore(abs, repo, opts)
}

// OpenBare opens the store at the root of a bare repository (a clone made
// with --bare): it is read at HEAD or any revision, and only the ledger,
// which has a branch of its own, is written to it.
func OpenBare(dir string, opts Options) (*Store, error) {
	repo, err := gitrepo.OpenBare(dir)
	if err != nil {
		return nil, err
	}
	keys, err := loadKeys(opts)
	if err != nil {
		return nil, err
	}
	return &Store{dir: repo.Root(), repo: repo, keys: keys}, nil
}

func newStore(abs string, repo *gitrepo.Repo, opts Options) (*Store, error) {
	prefix, err := repoRelative(repo.Root(), abs)
	if err != nil {
		return nil, err
	}
	keys, err := loadKeys(opts)
	if err != nil {
		return nil, err
	}
	return &Store{dir: abs, prefix: prefix, repo: repo, keys: keys}, nil
}

func loadKeys(opts Options) (*sopsfile.Keyring, error) {
	keys, err := sopsfile.LoadKeyring(opts.getenv())
	if err != nil {
		return nil, fmt.Errorf("load age keys: %w", err)
	}
	return keys, nil
}

func repoRelative(root, dir string) (string, error) {
	rootReal, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	dirReal, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(rootReal, dirReal)
	if err != nil {
		return "", err
	}
	if rel == "." {
		return "", nil
	}
	return filepath.ToSlash(rel), nil
}

// Rel turns a path into a store-relative slash path, refusing paths outside
// the store.
func (s *Store) Rel(path string) (string, error) {
	rel, err := repoRelative(s.dir, path)
	if err != nil || rel == "" || strings.HasPrefix(rel, "../") || rel == ".." {
		return "", fmt.Errorf("%s is not a file inside the store %s", path, s.dir)
	}
	return rel, nil
}

// RepoDir returns the store's directory relative to the repository root,
// slash-separated, "" when the store is the repository root.
func (s *Store) RepoDir() string { return s.prefix }

// Dir returns the store's absolute directory.
func (s *Store) Dir() string { return s.dir }

// HasKey reports whether a private age key is configured.
func (s *Store) HasKey() bool { return !s.keys.Empty() }

// repoPath turns a store-relative slash path into a repository-relative one.
func (s *Store) repoPath(rel string) string {
	if s.prefix == "" {
		return rel
	}
	return s.prefix + "/" + rel
}

// readWorktree reads a store-relative file from disk.
func (s *Store) readWorktree(rel string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fs.ErrNotExist
	}
	return b, err
}
