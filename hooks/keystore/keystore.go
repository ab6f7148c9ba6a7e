package keystore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"time"
)

// ErrNotFound is returned (wrapped) when no secret is stored under an id.
var ErrNotFound = errors.New("not found")

// ErrPassphraseRequired is returned (wrapped) when the file fallback was
// encrypted with a passphrase and [Options.Passphrase] is not set.
var ErrPassphraseRequired = errors.New("encrypted with a passphrase, and none was given")

// ErrNoKeychain is returned when [Options.Backend] asks for the keychain and
// the platform has none.
var ErrNoKeychain = errors.New("no OS keychain on this system")

// Backend names, as [Options.Backend] takes them and [Store.Backend] reports them.
const (
	BackendAuto     = "auto"
	BackendKeychain = "keychain"
	BackendFile     = "file"
)

// Options configure [Open]. The zero value picks the keychain when one
// exists and the key-file fallback otherwise.
type Options struct {
	// Backend is BackendAuto (or empty), BackendKeychain or BackendFile.
	Backend string
	// Dir holds the fallback files. Default: os.UserConfigDir()/secretsctl/keystore.
	Dir string
	// Passphrase, when set, encrypts the fallback file with an age
	// passphrase (scrypt) instead of the identity file. It is called only
	// when the fallback is used.
	Passphrase func() ([]byte, error)
	// IdentityFile is the age identity of the fallback. Default:
	// Dir/identity.txt, created with mode 0600 when missing.
	IdentityFile string
	// Timeout bounds one keychain operation, which may wait for the user
	// to answer an unlock prompt. Default: 2 minutes.
	Timeout time.Duration

	// workFactor overrides age's scrypt work factor (tests only).
	workFactor int
}

// Store is the secure store of one app.
type Store struct {
	app string
	b   backend
}

// backend is one kind of secure store.
type backend interface {
	kind() string     // BackendKeychain or BackendFile
	location() string // where, for people: "Secret Service", "/home/u/.config/…/app.age"
	set(id string, value []byte) error
	get(id string) ([]byte, error)
	del(id string) error
	list() ([]string, error)
}

// appPattern and idPattern are compiled on first use, not at package init:
// programs link this package for the occasional keychain call.
var (
	appPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`) })
	idPattern  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$`)
	})
)

// Open returns the store of app. App names are letters, digits, '.', '_'
// and '-' (they name a file in the fallback).
func Open(app string, opts Options) (*Store, error) {
	if !appPattern().MatchString(app) {
		return nil, fmt.Errorf("keystore: app name %q: want letters, digits, '.', '_' or '-' (up to 100)", app)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	switch opts.Backend {
	case "", BackendAuto:
		present, err := keychainPresent()
		if err != nil {
			return nil, &KeychainError{Op: "probe", Err: err}
		}
		if present {
			return &Store{app: app, b: newKeychain(app, opts.Timeout)}, nil
		}
		return openFile(app, opts)
	case BackendKeychain:
		present, err := keychainPresent()
		if err != nil {
			return nil, &KeychainError{Op: "probe", Err: err}
		}
		if !present {
			return nil, ErrNoKeychain
		}
		return &Store{app: app, b: newKeychain(app, opts.Timeout)}, nil
	case BackendFile:
		return openFile(app, opts)
	}
	return nil, fmt.Errorf("keystore: unknown backend %q: want auto, keychain or file", opts.Backend)
}

func openFile(app string, opts Options) (*Store, error) {
	if opts.Dir == "" {
		cfg, err := os.UserConfigDir()
		if err != nil {
			return nil, fmt.Errorf("keystore: locate the config directory: %w", err)
		}
		opts.Dir = filepath.Join(cfg, "secretsctl", "keystore")
	}
	if opts.IdentityFile == "" {
		opts.IdentityFile = filepath.Join(opts.Dir, "identity.txt")
	}
	return &Store{app: app, b: &fileBackend{app: app, opts: opts}}, nil
}

// App is the app whose secrets this store keeps.
func (s *Store) App() string { return s.app }

// Backend is BackendKeychain or BackendFile.
func (s *Store) Backend() string { return s.b.kind() }

// Location says where the secrets are, for people: the keychain's name or
// the fallback file's path.
func (s *Store) Location() string { return s.b.location() }

// Set stores value under id, replacing what was there.
func (s *Store) Set(id string, value []byte) error {
	if err := checkID(id); err != nil {
		return err
	}
	return s.b.set(id, value)
}

// Get returns the value stored under id, or an error wrapping [ErrNotFound].
func (s *Store) Get(id string) ([]byte, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return s.b.get(id)
}

// Delete removes id; deleting an id that is not stored wraps [ErrNotFound].
func (s *Store) Delete(id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	return s.b.del(id)
}

// List returns the stored ids, sorted, never the values.
func (s *Store) List() ([]string, error) {
	ids, err := s.b.list()
	slices.Sort(ids)
	return ids, err
}

func checkID(id string) error {
	if len(id) > 200 || !idPattern().MatchString(id) {
		return fmt.Errorf("keystore: secret id %q: want OWNER/KEY of letters, digits, '.', '_' or '-'", id)
	}
	return nil
}

// KeychainError is a keychain that exists but failed: locked, an unlock
// prompt dismissed or unanswered, a session bus that does not answer. The
// file fallback is deliberately not used then.
type KeychainError struct {
	Op  string // "probe", "set", "get", "delete", "list"
	ID  string // the secret id, when there is one
	Err error
}

func (e *KeychainError) Error() string {
	subject := "keychain"
	if e.ID != "" {
		subject = fmt.Sprintf("keychain item %s", e.ID)
	}
	return fmt.Sprintf("keystore: %s %s: %v (the keychain exists, so the encrypted-file fallback is not used: unlock or repair the keychain, or choose the file backend explicitly)", e.Op, subject, e.Err)
}

func (e *KeychainError) Unwrap() error { return e.Err }
