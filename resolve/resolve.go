package resolve

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/secretsctl/secretsctl/store"
)

// DefaultTier is the tier local development resolves: tier-1-local.
const DefaultTier = store.TierLocal

// Options tunes [Resolve] and [ResolveIDs].
type Options struct {
	// Sources replaces the configured sources (see [LoadSources]) when
	// not nil.
	Sources []store.SourceSpec
	// AllowMissing returns what was found instead of a [*MissingError] when
	// required secrets are missing; [Result.Missing] lists them. Sources
	// that cannot be read are still errors unless optional.
	AllowMissing bool
	// Getenv reads the environment: VAULT_ADDR, VAULT_TOKEN,
	// VAULT_NAMESPACE, HOME, XDG_CONFIG_HOME, SECRETSCTL_SOURCES_FILE, and
	// variables .env files expand. os.Getenv when nil.
	Getenv func(string) string
	// LookupEnv is what .env files expand ${VAR} from. os.LookupEnv when
	// nil and Getenv is nil; from Getenv otherwise.
	LookupEnv func(string) (string, bool)
	// ScenarioDir is the directory dotenv paths with relative_to: scenario
	// are relative to; the working directory when empty.
	ScenarioDir string
}

func (o Options) getenv() func(string) string {
	if o.Getenv == nil {
		return os.Getenv
	}
	return o.Getenv
}

func (o Options) lookupEnv() func(string) (string, bool) {
	switch {
	case o.LookupEnv != nil:
		return o.LookupEnv
	case o.Getenv == nil:
		return os.LookupEnv
	}
	get := o.Getenv
	return func(k string) (string, bool) { v := get(k); return v, v != "" }
}

// Value is one resolved secret. It prints as [redacted]; the value is in
// the Value field only.
type Value struct {
	// ID is the secret id, such as "postgres/POSTGRES_PASSWORD".
	ID string `json:"id"`
	// Env is the environment variable the scenario reads it from.
	Env   string `json:"env"`
	Value string `json:"value"`
	// Required is the plan's required flag.
	Required bool `json:"required"`
	// Classification and Strategy are the secret's on the tier.
	Classification store.Classification `json:"classification,omitempty"`
	Strategy       store.StrategyKind   `json:"strategy,omitempty"`
	Source         Provenance           `json:"source"`
}

// String hides the value.
func (v Value) String() string { return fmt.Sprintf("%s=[redacted] from %s", v.ID, v.Source) }

// GoString hides the value from %#v.
func (v Value) GoString() string { return v.String() }

// LogValue hides the value from slog, whose JSON handler would otherwise
// encode the Value field.
func (v Value) LogValue() slog.Value { return slog.StringValue(v.String()) }

// Provenance says where a value came from.
type Provenance struct {
	// Kind is filesystem, dotenv or hashicorp-vault.
	Kind store.SourceKind `json:"kind"`
	// Name is the source's name in the sources list.
	Name string `json:"name"`
	// File is the filesystem vault file (store-relative) or the .env file.
	File string `json:"file,omitempty"`
	// Revision is the store revision a filesystem vault value was read at.
	Revision string `json:"revision,omitempty"`
	// Line is the .env line where the assignment starts.
	Line int `json:"line,omitempty"`
	// Variable is the name the value has in the .env file.
	Variable string `json:"variable,omitempty"`
	// Address is Vault's address (VAULT_ADDR).
	Address string `json:"address,omitempty"`
	// Path is the KV v2 API path, such as secret/data/postgres/POSTGRES_PASSWORD.
	Path string `json:"path,omitempty"`
	// Field is the field of the KV secret that holds the value.
	Field string `json:"field,omitempty"`
	// Version is the KV secret's version.
	Version int `json:"version,omitempty"`
}

// String is the provenance for people: "vault/local.yaml",
// ".env:3", "vault http://127.0.0.1:8200 secret/data/x/Y#value v2".
func (p Provenance) String() string {
	switch p.Kind {
	case store.SourceFilesystem:
		return fmt.Sprintf("%s (%s)", p.File, p.Name)
	case store.SourceDotenv:
		return fmt.Sprintf("%s:%d (%s)", p.File, p.Line, p.Name)
	case store.SourceHashiCorpVault:
		return fmt.Sprintf("%s %s#%s version %d (%s)", p.Address, p.Path, p.Field, p.Version, p.Name)
	}
	return p.Name
}

// Missing is a secret no source had.
type Missing struct {
	ID       string `json:"id"`
	Env      string `json:"env"`
	Required bool   `json:"required"`
	// LookedIn says where each source looked, in order.
	LookedIn []string `json:"looked_in"`
}

// Skipped is an optional source that could not be read.
type Skipped struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Result is what [Resolve] found.
type Result struct {
	Scenario string `json:"scenario,omitempty"`
	// Tier is the canonical tier id.
	Tier string `json:"tier,omitempty"`
	// Revision is the store revision the plan and vault files were read at.
	Revision string `json:"revision"`
	// Values are the secrets found, sorted by id.
	Values []Value `json:"values"`
	// Missing are the secrets no source had, sorted by id: with
	// [Options.AllowMissing] the required ones too, otherwise only the
	// optional ones (or stripped on the tier).
	Missing []Missing `json:"missing"`
	// Skipped lists the optional sources that could not be read.
	Skipped []Skipped `json:"skipped,omitempty"`
}

// Lookup returns the value of a secret id.
func (r *Result) Lookup(id string) (Value, bool) {
	i := slices.IndexFunc(r.Values, func(v Value) bool { return v.ID == id })
	if i < 0 {
		return Value{}, false
	}
	return r.Values[i], true
}

// Environ returns the values as NAME=value strings for a child process's
// environment, in id order. A secret whose variable name is not a valid
// environment variable name (a key with '.' or '-' and no env target) is an
// error: such a name could smuggle a second assignment into the child or a
// shell.
func (r *Result) Environ() ([]string, error) {
	out := make([]string, 0, len(r.Values))
	for _, v := range r.Values {
		if err := CheckEnvName(v); err != nil {
			return nil, err
		}
		out = append(out, v.Env+"="+v.Value)
	}
	return out, nil
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CheckEnvName reports whether v's variable name can be set in an
// environment, a dotenv file or a shell.
func CheckEnvName(v Value) error {
	if envNameRE.MatchString(v.Env) {
		return nil
	}
	return fmt.Errorf("secret %s: %q is not a valid environment variable name; give the secret an env target with a name of letters, digits and underscores", v.ID, v.Env)
}

// want is a secret to find.
type want struct {
	id, owner, key string
	env            string // the variable the scenario reads
	dotenvName     string // the variable to find in .env files
	vaultPath      string // a Vault path from a delegate strategy, "" for the template
	required       bool   // missing is an error
	planRequired   bool
	class          store.Classification
	strategy       store.StrategyKind
}

// Resolve finds the values of every secret m lists: the plan of a
// scenario on a tier, as `secretsctl plan --format json` and the API's
// /deployment/secrets give it (secretsctl computes it in process). A
// required secret that no source has is a [*MissingError] listing all of
// them, unless [Options.AllowMissing]; secrets that are optional, or
// stripped on the tier (the runtime supplies them), may be missing. A
// source that cannot be read is a [*SourceError] unless it is optional.
func Resolve(ctx context.Context, sn *store.Snapshot, m *store.Manifest, opts Options) (*Result, error) {
	specs, err := opts.sources(sn)
	if err != nil {
		return nil, err
	}
	opts.Sources = specs
	wants := make([]want, 0, len(m.Secrets))
	for _, s := range m.Secrets {
		wants = append(wants, wantFor(s))
	}
	res := &Result{Scenario: m.Scenario, Tier: m.TierID}
	return res, run(ctx, sn, res, wants, opts)
}

// ResolveIDs finds the values of the given secret ids ("owner/KEY"),
// without a scenario: each is looked up under its key as variable name, and
// each is required unless [Options.AllowMissing].
func ResolveIDs(ctx context.Context, sn *store.Snapshot, ids []string, opts Options) (*Result, error) {
	wants := make([]want, 0, len(ids))
	for _, id := range ids {
		if !store.ValidSecretID(id) {
			return nil, &InvalidIDError{ID: id}
		}
		owner, key, _ := strings.Cut(id, "/")
		wants = append(wants, want{id: id, owner: owner, key: key, env: key, dotenvName: key, required: true, planRequired: true})
	}
	res := &Result{}
	return res, run(ctx, sn, res, wants, opts)
}

func wantFor(s store.ManifestSecret) want {
	w := want{id: s.ID, owner: s.ResourceName, key: s.SecretKey, env: s.SecretKey, planRequired: s.Required,
		class: s.Classification, strategy: s.HandlingStrategy}
	for _, t := range s.Targets {
		if t.Type == "env" && t.Name != "" {
			w.env = t.Name
			break
		}
	}
	w.dotenvName = w.env
	if d := s.Delegate; d != nil && s.HandlingStrategy == store.Delegate {
		switch d.Provider {
		case "env":
			w.dotenvName = d.Reference
		case "vault":
			w.vaultPath = d.Reference
		}
	}
	w.required = s.Required && s.HandlingStrategy != store.Strip
	return w
}

func run(ctx context.Context, sn *store.Snapshot, res *Result, wants []want, opts Options) error {
	res.Revision = sn.Revision
	specs, err := opts.sources(sn)
	if err != nil {
		return err
	}
	srcs, err := openSources(sn, specs, opts, res.Scenario)
	if err != nil {
		return err
	}
	found := map[string]Value{}
	looked := map[string][]string{}
	for _, src := range srcs {
		var todo []want
		for _, w := range wants {
			if _, ok := found[w.id]; !ok {
				todo = append(todo, w)
			}
		}
		if len(todo) == 0 {
			break
		}
		hits, err := src.lookup(ctx, todo)
		if err != nil {
			if !src.spec().Optional {
				return err
			}
			res.Skipped = append(res.Skipped, Skipped{Source: src.spec().Name, Reason: err.Error()})
		}
		for _, w := range todo {
			if h, ok := hits[w.id]; ok {
				found[w.id] = Value{ID: w.id, Env: w.env, Value: h.value, Required: w.planRequired,
					Classification: w.class, Strategy: w.strategy, Source: h.prov}
				continue
			}
			where := src.where(w)
			if err != nil {
				where += " (skipped: optional source unreadable)"
			}
			looked[w.id] = append(looked[w.id], where)
		}
	}
	var missingRequired []Missing
	for _, w := range wants {
		if v, ok := found[w.id]; ok {
			res.Values = append(res.Values, v)
			continue
		}
		m := Missing{ID: w.id, Env: w.env, Required: w.required, LookedIn: looked[w.id]}
		if len(srcs) == 0 {
			m.LookedIn = []string{"no sources are configured"}
		}
		if w.required && !opts.AllowMissing {
			missingRequired = append(missingRequired, m)
			continue
		}
		res.Missing = append(res.Missing, m)
	}
	sortByID(res.Values, func(v Value) string { return v.ID })
	sortByID(res.Missing, func(m Missing) string { return m.ID })
	if len(missingRequired) > 0 {
		sortByID(missingRequired, func(m Missing) string { return m.ID })
		return &MissingError{Scenario: res.Scenario, Tier: res.Tier, Missing: missingRequired}
	}
	return nil
}

func sortByID[T any](s []T, id func(T) string) {
	slices.SortStableFunc(s, func(a, b T) int { return strings.Compare(id(a), id(b)) })
}

// sources returns the sources in effect: the option's, else the configured
// ones.
func (o Options) sources(sn *store.Snapshot) ([]store.SourceSpec, error) {
	if o.Sources != nil {
		return o.Sources, nil
	}
	specs, _, err := LoadSources(sn, o.getenv())
	return specs, err
}

// Prefetch decrypts a scenario's resources and the filesystem vault files
// of the sources opts names, concurrently, so that planning the scenario
// and the [Resolve] that follows find them in the snapshot's cache. Errors
// are left for those to report.
func Prefetch(sn *store.Snapshot, scenario string, opts Options) {
	specs, _ := opts.sources(sn)
	var wg sync.WaitGroup
	load := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	for _, s := range specs {
		if s.Kind == store.SourceFilesystem {
			load(func() { _, _ = sn.Vault(s.Scope) })
		}
	}
	if sc, err := sn.Scenario(scenario); err == nil {
		for _, r := range sc.Resources {
			load(func() { _, _ = sn.Resource(r.Name) })
		}
	}
	wg.Wait()
}
