package resolve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/secretsctl/secretsctl/dotenv"
	"github.com/secretsctl/secretsctl/store"
)

// dotenvSource reads one .env file, once.
type dotenvSource struct {
	s    store.SourceSpec
	path string
	env  func(string) (string, bool)

	once    sync.Once
	entries map[string]dotenv.Entry
	err     error
}

func newDotenvSource(s store.SourceSpec, sn *store.Snapshot, opts Options, scenario string) (*dotenvSource, error) {
	p := store.ExpandTemplate(s.Path, map[string]string{"scenario": scenario})
	if !filepath.IsAbs(p) {
		base := sn.StoreDir()
		if s.RelativeTo == "scenario" {
			base = opts.ScenarioDir
			if base == "" {
				wd, err := os.Getwd()
				if err != nil {
					return nil, err
				}
				base = wd
			}
		}
		p = filepath.Join(base, p)
	}
	return &dotenvSource{s: s, path: p, env: opts.lookupEnv()}, nil
}

func (d *dotenvSource) spec() store.SourceSpec { return d.s }

func (d *dotenvSource) describe() string { return d.path }

func (d *dotenvSource) where(w want) string { return fmt.Sprintf("%s (as %s)", d.path, w.dotenvName) }

func (d *dotenvSource) load() (map[string]dotenv.Entry, error) {
	d.once.Do(func() {
		data, err := os.ReadFile(d.path)
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("no such file")
		}
		if err == nil {
			var entries []dotenv.Entry
			entries, err = dotenv.Parse(data, dotenv.Options{Lookup: d.env})
			d.entries = dotenv.Map(entries)
		}
		if err != nil {
			d.err = &SourceError{Source: d.s.Name, Kind: d.s.Kind, Where: d.path, Err: err}
		}
	})
	return d.entries, d.err
}

func (d *dotenvSource) lookup(_ context.Context, wants []want) (map[string]hit, error) {
	entries, err := d.load()
	if err != nil {
		return nil, err
	}
	hits := map[string]hit{}
	for _, w := range wants {
		if e, ok := entries[w.dotenvName]; ok {
			hits[w.id] = hit{value: e.Value, prov: Provenance{Kind: d.s.Kind, Name: d.s.Name, File: d.path, Line: e.Line, Variable: e.Key}}
		}
	}
	return hits, nil
}

func (d *dotenvSource) check(context.Context) error {
	_, err := d.load()
	return err
}
