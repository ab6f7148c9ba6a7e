package keystore

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// indexAccount is the keychain account that lists an app's ids. Ids never
// start with '#', so it cannot clash with a secret.
const indexAccount = "#ids"

// keychain keeps secrets in the OS keychain under service "secretsctl:APP".
type keychain struct {
	service string
	timeout time.Duration
}

func newKeychain(app string, timeout time.Duration) *keychain {
	return &keychain{service: "secretsctl:" + app, timeout: timeout}
}

func (k *keychain) kind() string     { return BackendKeychain }
func (k *keychain) location() string { return keychainName }

func (k *keychain) set(id string, value []byte) error {
	if err := k.call("set", id, func() error { return keyring.Set(k.service, id, string(value)) }); err != nil {
		return err
	}
	return k.updateIndex(func(ids []string) []string {
		if slices.Contains(ids, id) {
			return ids
		}
		return append(ids, id)
	})
}

func (k *keychain) get(id string) ([]byte, error) {
	var v string
	err := k.call("get", id, func() (err error) {
		v, err = keyring.Get(k.service, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return []byte(v), nil
}

func (k *keychain) del(id string) error {
	if err := k.call("delete", id, func() error { return keyring.Delete(k.service, id) }); err != nil {
		return err
	}
	return k.updateIndex(func(ids []string) []string {
		return slices.DeleteFunc(ids, func(s string) bool { return s == id })
	})
}

func (k *keychain) list() ([]string, error) {
	var v string
	err := k.call("list", "", func() (err error) {
		v, err = keyring.Get(k.service, indexAccount)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Fields(v), nil
}

// updateIndex rewrites the id list with change applied.
func (k *keychain) updateIndex(change func([]string) []string) error {
	ids, err := k.list()
	if err != nil {
		return err
	}
	ids = change(ids)
	slices.Sort(ids)
	if len(ids) == 0 {
		err := k.call("list", "", func() error { return keyring.Delete(k.service, indexAccount) })
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	return k.call("list", "", func() error { return keyring.Set(k.service, indexAccount, strings.Join(ids, "\n")) })
}

// call runs op with the timeout: a keychain may wait forever for an unlock
// prompt no one can answer. Not-found is reported as ErrNotFound; every
// other failure as a KeychainError.
func (k *keychain) call(op, id string, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(k.timeout):
		err = fmt.Errorf("no answer after %s (is the keychain waiting for an unlock prompt?)", k.timeout)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		if id == "" {
			return ErrNotFound
		}
		return fmt.Errorf("keystore: %s: %w", id, ErrNotFound)
	}
	return &KeychainError{Op: op, ID: id, Err: err}
}
