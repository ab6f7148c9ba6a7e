package resolve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/secretsctl/secretsctl/store"
	"gopkg.in/yaml.v3"
)

// UserSourcesFile is the name of a developer's override of the sources, in
// the secretsctl folder of the user config directory.
const UserSourcesFile = "sources.yaml"

// UserSources is the developer's sources.yaml: a sources list for every
// store, or for the store of a given name (secretsctl.yaml's name field).
type UserSources struct {
	Version int                           `yaml:"version"`
	Sources []store.SourceSpec            `yaml:"sources"`
	Stores  map[string][]store.SourceSpec `yaml:"stores"`
}

// UserSourcesPath is where the developer's override lives:
// $SECRETSCTL_SOURCES_FILE, else $XDG_CONFIG_HOME/secretsctl/sources.yaml,
// else ~/.config/secretsctl/sources.yaml.
func UserSourcesPath(getenv func(string) string) string {
	if p := getenv("SECRETSCTL_SOURCES_FILE"); p != "" {
		return p
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "secretsctl", UserSourcesFile)
}

// LoadSources returns the sources in effect for a snapshot and where they
// were configured: the developer's override (for this store's name, else
// for every store), else secretsctl.yaml's list, else
// [store.DefaultSources]. Defaults are filled in.
func LoadSources(sn *store.Snapshot, getenv func(string) string) ([]store.SourceSpec, string, error) {
	if path := UserSourcesPath(getenv); path != "" {
		specs, ok, err := userSources(path, sn.Config().Name)
		if err != nil || ok {
			return specs, path, err
		}
	}
	if len(sn.Config().Sources) > 0 {
		return sn.Config().Sources, store.ConfigFile, nil
	}
	specs, err := store.NormalizeSources("defaults", "sources", store.DefaultSources())
	return specs, "built-in defaults", err
}

func userSources(path, storeName string) ([]store.SourceSpec, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	var u UserSources
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&u); err != nil && !errors.Is(err, io.EOF) {
		return nil, false, &store.DocumentError{File: path, Reason: "malformed: " + err.Error()}
	}
	field, specs := "sources", u.Sources
	if s, ok := u.Stores[storeName]; ok && storeName != "" {
		field, specs = "stores."+storeName, s
	}
	if specs == nil {
		return nil, false, nil
	}
	specs, err = store.NormalizeSources(path, field, specs)
	return specs, true, err
}

// source is one opened source.
type source interface {
	spec() store.SourceSpec
	// lookup returns what the source has of the wanted secrets, by id. An
	// error means the source could not be read; hits may still be partial.
	lookup(ctx context.Context, wants []want) (map[string]hit, error)
	// where says where the source looks for a secret, for MissingError.
	where(w want) string
	// check reports whether the source can be read.
	check(ctx context.Context) error
	// describe says what the source reads, for `secretsctl sources`.
	describe() string
}

type hit struct {
	value string
	prov  Provenance
}

func openSources(sn *store.Snapshot, specs []store.SourceSpec, opts Options, scenario string) ([]source, error) {
	out := make([]source, 0, len(specs))
	for _, s := range specs {
		switch s.Kind {
		case store.SourceFilesystem:
			out = append(out, &filesystemSource{s: s, sn: sn})
		case store.SourceDotenv:
			src, err := newDotenvSource(s, sn, opts, scenario)
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		case store.SourceHashiCorpVault:
			out = append(out, newVaultSource(s, opts, scenario))
		default:
			return nil, fmt.Errorf("unknown source kind %q", s.Kind)
		}
	}
	return out, nil
}

// Status is a configured source and, after [Check], whether it can be read.
type Status struct {
	Name     string           `json:"name"`
	Kind     store.SourceKind `json:"kind"`
	Optional bool             `json:"optional"`
	// Reads says what the source reads: a file, a Vault address and mount.
	Reads string `json:"reads"`
	// Checked is true when reachability was checked.
	Checked bool `json:"checked"`
	// Error is why the source cannot be read, when checked and unreachable.
	Error string `json:"error,omitempty"`
	// Note says a checked source is readable but holds nothing yet: a
	// missing vault file is an empty vault, not an error.
	Note string `json:"note,omitempty"`
}

// errEmptySource is a source that can be read and holds nothing yet.
var errEmptySource = errors.New("empty")

// Check lists the sources in effect for a snapshot (see [LoadSources]) and,
// when probe is true, tries each: the vault file decrypts, the .env file
// parses, Vault answers and accepts the token.
func Check(ctx context.Context, sn *store.Snapshot, scenario string, probe bool, opts Options) ([]Status, string, error) {
	specs, from := opts.Sources, "options"
	if specs == nil {
		var err error
		if specs, from, err = LoadSources(sn, opts.getenv()); err != nil {
			return nil, "", err
		}
	}
	srcs, err := openSources(sn, specs, opts, scenario)
	if err != nil {
		return nil, "", err
	}
	out := make([]Status, 0, len(srcs))
	for _, src := range srcs {
		st := Status{Name: src.spec().Name, Kind: src.spec().Kind, Optional: src.spec().Optional, Reads: src.describe(), Checked: probe}
		if probe {
			switch err := src.check(ctx); {
			case errors.Is(err, errEmptySource):
				st.Note = err.Error()
			case err != nil:
				st.Error = err.Error()
			}
		}
		out = append(out, st)
	}
	return out, from, nil
}
