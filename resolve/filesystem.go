package resolve

import (
	"context"
	"errors"
	"fmt"

	"github.com/secretsctl/secretsctl/store"
)

// filesystemSource reads vault/<scope>.yaml at the snapshot's revision.
type filesystemSource struct {
	s  store.SourceSpec
	sn *store.Snapshot
}

func (f *filesystemSource) spec() store.SourceSpec { return f.s }

func (f *filesystemSource) file() string { return store.VaultFile(f.s.Scope) }

func (f *filesystemSource) describe() string { return f.file() + " in the store" }

func (f *filesystemSource) where(want) string { return f.file() }

// vault returns the vault document, nil when the scope has no file yet.
func (f *filesystemSource) vault() (*store.Vault, error) {
	v, err := f.sn.Vault(f.s.Scope)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, &SourceError{Source: f.s.Name, Kind: f.s.Kind, Where: f.file(), Err: err}
	}
	return v, nil
}

func (f *filesystemSource) lookup(_ context.Context, wants []want) (map[string]hit, error) {
	v, err := f.vault()
	if err != nil || v == nil {
		return nil, err
	}
	hits := map[string]hit{}
	for _, w := range wants {
		if val, ok := v.Values[w.id]; ok {
			hits[w.id] = hit{value: val, prov: Provenance{Kind: f.s.Kind, Name: f.s.Name, File: f.file(), Revision: f.sn.Revision}}
		}
	}
	return hits, nil
}

func (f *filesystemSource) check(context.Context) error {
	v, err := f.vault()
	if err != nil {
		return err
	}
	if v == nil {
		return fmt.Errorf("%w: %s does not exist yet; secretsctl set creates it", errEmptySource, f.file())
	}
	return nil
}
