package keystore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"filippo.io/age"
	"github.com/gofrs/flock"
)

// fileBackend is the encrypted-file fallback: APP.age in opts.Dir holds
// the app's secrets as age-encrypted JSON ({"version":1,"secrets":{id:
// base64}}), so values of any bytes survive.
type fileBackend struct {
	app  string
	opts Options
}

// fileContents is the plaintext inside APP.age.
type fileContents struct {
	Version int               `json:"version"`
	Secrets map[string][]byte `json:"secrets"`
}

func (f *fileBackend) kind() string     { return BackendFile }
func (f *fileBackend) location() string { return f.path() }
func (f *fileBackend) path() string     { return filepath.Join(f.opts.Dir, f.app+".age") }

func (f *fileBackend) set(id string, value []byte) error {
	return f.update(func(m map[string][]byte) error {
		m[id] = bytes.Clone(value)
		return nil
	})
}

func (f *fileBackend) del(id string) error {
	return f.update(func(m map[string][]byte) error {
		if _, ok := m[id]; !ok {
			return fmt.Errorf("keystore: %s: %w", id, ErrNotFound)
		}
		delete(m, id)
		return nil
	})
}

func (f *fileBackend) get(id string) ([]byte, error) {
	m, err := f.read()
	if err != nil {
		return nil, err
	}
	v, ok := m[id]
	if !ok {
		return nil, fmt.Errorf("keystore: %s: %w", id, ErrNotFound)
	}
	return v, nil
}

func (f *fileBackend) list() ([]string, error) {
	m, err := f.read()
	if err != nil {
		return nil, err
	}
	return slices.Collect(maps.Keys(m)), nil
}

// update reads, changes and rewrites the file under an exclusive lock.
func (f *fileBackend) update(change func(map[string][]byte) error) error {
	if err := os.MkdirAll(f.opts.Dir, 0o700); err != nil {
		return fmt.Errorf("keystore: create %s: %w", f.opts.Dir, err)
	}
	lock := flock.New(filepath.Join(f.opts.Dir, f.app+".lock"))
	if err := lock.Lock(); err != nil {
		return fmt.Errorf("keystore: lock %s: %w", f.path(), err)
	}
	defer lock.Unlock()
	m, err := f.read()
	if err != nil {
		return err
	}
	if err := change(m); err != nil {
		return err
	}
	return f.write(m)
}

// read decrypts the file; a missing file is an empty store.
func (f *fileBackend) read() (map[string][]byte, error) {
	data, err := os.ReadFile(f.path())
	if errors.Is(err, fs.ErrNotExist) {
		return map[string][]byte{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: read %s: %w", f.path(), err)
	}
	if f.opts.Passphrase == nil && passphraseFile(data) {
		return nil, fmt.Errorf("keystore: %s: %w", f.path(), ErrPassphraseRequired)
	}
	ids, err := f.identities()
	if err != nil {
		return nil, err
	}
	r, err := age.Decrypt(bytes.NewReader(data), ids...)
	if err != nil {
		return nil, fmt.Errorf("keystore: decrypt %s: %w", f.path(), err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("keystore: decrypt %s: %w", f.path(), err)
	}
	var c fileContents
	if err := json.Unmarshal(plain, &c); err != nil || c.Version != 1 {
		return nil, fmt.Errorf("keystore: %s: not a version 1 keystore file", f.path())
	}
	if c.Secrets == nil {
		c.Secrets = map[string][]byte{}
	}
	return c.Secrets, nil
}

// passphraseFile reports whether an age file's header has a scrypt
// (passphrase) stanza.
func passphraseFile(data []byte) bool {
	header, _, _ := bytes.Cut(data, []byte("\n---"))
	return bytes.Contains(header, []byte("\n-> scrypt "))
}

// write encrypts m into a temporary file and renames it over the old one,
// so a crash leaves the old file or the new one.
func (f *fileBackend) write(m map[string][]byte) error {
	plain, err := json.Marshal(fileContents{Version: 1, Secrets: m})
	if err != nil {
		return err
	}
	rcpt, err := f.recipient()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(f.opts.Dir, "."+f.app+".*.tmp")
	if err != nil {
		return fmt.Errorf("keystore: write %s: %w", f.path(), err)
	}
	defer os.Remove(tmp.Name())
	if err := encryptTo(tmp, rcpt, plain); err != nil {
		tmp.Close()
		return fmt.Errorf("keystore: write %s: %w", f.path(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keystore: write %s: %w", f.path(), err)
	}
	if err := os.Rename(tmp.Name(), f.path()); err != nil {
		return fmt.Errorf("keystore: write %s: %w", f.path(), err)
	}
	return nil
}

func encryptTo(tmp *os.File, rcpt age.Recipient, plain []byte) error {
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	w, err := age.Encrypt(tmp, rcpt)
	if err != nil {
		return err
	}
	if _, err := w.Write(plain); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return tmp.Sync()
}
