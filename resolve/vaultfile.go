package resolve

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// Write actions recorded in the Secretsctl-Action trailer.
const (
	ActionSet   = "vault-set"
	ActionUnset = "vault-unset"
)

// WriteOptions tunes [Set] and [Unset].
type WriteOptions struct {
	// Scope is the filesystem vault written, vault/<scope>.yaml; the
	// scope of the first filesystem source in effect when empty, else
	// "local".
	Scope  string
	Author store.Author
	// Getenv is used to find the sources in effect; os.Getenv when nil.
	Getenv func(string) string
}

// WriteResult is what a write did.
type WriteResult struct {
	File    string
	Commit  store.Commit
	Changed bool // false when the vault already held exactly this
}

// Set stores a value for a secret id in the filesystem vault at HEAD and
// commits it, one commit whose message names the id, never the value. The
// id must be declared by a resource or scenario of the store, and the
// value must match its validation_pattern.
func Set(ctx context.Context, st *store.Store, id, value string, opts WriteOptions) (*WriteResult, error) {
	return write(ctx, st, id, "set", ActionSet, opts, func(sn *store.Snapshot, values map[string]string) error {
		sec, err := declared(sn, id)
		if err != nil {
			return err
		}
		if sec.ValidationPattern != "" {
			re, err := regexp.Compile(sec.ValidationPattern)
			if err != nil {
				return fmt.Errorf("set %s: its validation_pattern does not compile, so the value cannot be checked: %w", id, err)
			}
			if !re.MatchString(value) {
				return &InvalidValueError{ID: id, Pattern: sec.ValidationPattern}
			}
		}
		values[id] = value
		return nil
	})
}

// Unset removes a secret id from the filesystem vault at HEAD and commits.
// Removing an id the vault does not hold is a [*store.NotFoundError].
func Unset(ctx context.Context, st *store.Store, id string, opts WriteOptions) (*WriteResult, error) {
	return write(ctx, st, id, "unset", ActionUnset, opts, func(sn *store.Snapshot, values map[string]string) error {
		if _, ok := values[id]; !ok {
			return &store.NotFoundError{Kind: "secret", Name: id, Hint: "the filesystem vault holds no value for it"}
		}
		delete(values, id)
		return nil
	})
}

// InvalidValueError is a value that does not match its secret's
// validation pattern. It never holds the value.
type InvalidValueError struct{ ID, Pattern string }

func (e *InvalidValueError) Error() string {
	return fmt.Sprintf("the value for %s does not match its validation_pattern %s", e.ID, e.Pattern)
}

func write(ctx context.Context, st *store.Store, id, verb, action string, opts WriteOptions, edit func(*store.Snapshot, map[string]string) error) (*WriteResult, error) {
	if !store.ValidSecretID(id) {
		return nil, &InvalidIDError{ID: id}
	}
	sn, err := st.Snapshot(store.ReadOptions{})
	if err != nil {
		return nil, err
	}
	scope, err := writeScope(sn, opts)
	if err != nil {
		return nil, err
	}
	file := store.VaultFile(scope)
	doc := &store.Vault{Version: store.DocumentVersion, Scope: scope, Values: map[string]string{}}
	cur, err := sn.Vault(scope)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		maps.Copy(doc.Values, cur.Values)
	}
	if err := edit(sn, doc.Values); err != nil {
		return nil, err
	}
	if cur != nil && maps.Equal(cur.Values, doc.Values) {
		return &WriteResult{File: file}, nil
	}
	c, _, err := st.Commit(ctx, store.Change{
		Documents: map[string]any{file: doc},
		Message:   store.Message{Subject: fmt.Sprintf("vault: %s %s in %s", verb, id, file), Action: action},
		Author:    opts.Author,
		Parent:    sn.Revision,
	})
	if err != nil {
		return nil, err
	}
	return &WriteResult{File: file, Commit: c, Changed: true}, nil
}

// writeScope is the scope to write: the option, else the first filesystem
// source's, else local.
func writeScope(sn *store.Snapshot, opts WriteOptions) (string, error) {
	if opts.Scope != "" {
		if !store.ValidName(opts.Scope) {
			return "", fmt.Errorf("invalid scope %q: want a name like local (letters, digits, . _ -)", opts.Scope)
		}
		return opts.Scope, nil
	}
	getenv := Options{Getenv: opts.Getenv}.getenv()
	specs, _, err := LoadSources(sn, getenv)
	if err != nil {
		return "", err
	}
	for _, s := range specs {
		if s.Kind == store.SourceFilesystem {
			return s.Scope, nil
		}
	}
	return store.DefaultVaultScope, nil
}

// declared finds the declaration of a secret id in a resource or scenario.
func declared(sn *store.Snapshot, id string) (*store.Secret, error) {
	owner, key, _ := strings.Cut(id, "/")
	var secrets []store.Secret
	if r, err := sn.Resource(owner); err == nil {
		secrets = r.Secrets
	} else if sc, serr := sn.Scenario(owner); serr == nil {
		secrets = sc.Secrets
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	} else if !errors.Is(serr, store.ErrNotFound) {
		return nil, serr
	} else {
		return nil, &store.NotFoundError{Kind: "secret", Name: id, Hint: "no resource or scenario named " + owner}
	}
	for i := range secrets {
		if secrets[i].Key == key {
			return &secrets[i], nil
		}
	}
	return nil, &store.NotFoundError{Kind: "secret", Name: id, Hint: owner + " declares no key " + key}
}
