package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// identities returns what decrypts the fallback file: the passphrase's
// scrypt identity, or the identities in the identity file.
func (f *fileBackend) identities() ([]age.Identity, error) {
	if f.opts.Passphrase != nil {
		pass, err := f.passphrase()
		if err != nil {
			return nil, err
		}
		id, err := age.NewScryptIdentity(pass)
		if err != nil {
			return nil, fmt.Errorf("keystore: passphrase: %w", err)
		}
		return []age.Identity{id}, nil
	}
	id, err := f.identity(false)
	if err != nil {
		return nil, err
	}
	return []age.Identity{id}, nil
}

// recipient returns what the fallback file is encrypted to; the identity
// file is created when missing.
func (f *fileBackend) recipient() (age.Recipient, error) {
	if f.opts.Passphrase != nil {
		pass, err := f.passphrase()
		if err != nil {
			return nil, err
		}
		r, err := age.NewScryptRecipient(pass)
		if err != nil {
			return nil, fmt.Errorf("keystore: passphrase: %w", err)
		}
		if f.opts.workFactor > 0 {
			r.SetWorkFactor(f.opts.workFactor)
		}
		return r, nil
	}
	id, err := f.identity(true)
	if err != nil {
		return nil, err
	}
	return id.Recipient(), nil
}

func (f *fileBackend) passphrase() (string, error) {
	pass, err := f.opts.Passphrase()
	if err != nil {
		return "", fmt.Errorf("keystore: passphrase: %w", err)
	}
	if len(pass) == 0 {
		return "", errors.New("keystore: passphrase: empty")
	}
	return string(pass), nil
}

// identity reads the X25519 identity file, creating it (0600) when create
// is set and it does not exist. A file others can read is refused.
func (f *fileBackend) identity(create bool) (*age.X25519Identity, error) {
	path := f.opts.IdentityFile
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return newIdentityFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("keystore: read identity: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keystore: identity %s has mode %#o: others may read it; chmod 600 it", path, fi.Mode().Perm())
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("keystore: identity %s: %w", path, err)
	}
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			return x, nil
		}
	}
	return nil, fmt.Errorf("keystore: identity %s: no age X25519 identity in it", path)
}

func newIdentityFile(path string) (*age.X25519Identity, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("keystore: create identity: %w", err)
	}
	content := fmt.Sprintf("# secretsctl keystore identity (age); public key: %s\n%s\n", id.Recipient(), id)
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("keystore: create identity: %w", err)
	}
	if _, err := fh.WriteString(content); err != nil {
		fh.Close()
		return nil, fmt.Errorf("keystore: create identity: %w", err)
	}
	if err := fh.Close(); err != nil {
		return nil, fmt.Errorf("keystore: create identity: %w", err)
	}
	return id, nil
}
