package cli

import (
	"context"
	"os"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/bundlescan"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

type verifyBundleOptions struct {
	storeOptions
	Scenario     string
	Tier         string
	Path         string
	Format       string
	AllowMissing bool
	Workers      int
	Limits       bundlescan.Limits
	// Scope is scopeStore (the default) or scopeScenario.
	Scope string
	// Strict fails when a source or deployment cannot be read.
	Strict bool
	// resolve finds the values of secret ids; see [bundleValues].
	resolve valueResolver
	// storeValues adds the store's values for scopeStore; see [storeValues].
	storeValues storeScan
}

// valueResolver returns the values of the given secret ids from the
// sources of SPEC §8 (filesystem vault, .env files, HashiCorp Vault) and
// the ids no source has.
type valueResolver func(ctx context.Context, sn *store.Snapshot, scenario, tier string, ids []string) (values map[string][]byte, missing []string, err error)

func newVerifyBundleCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:      "verify-bundle",
		Usage:     "prove that no infrastructure or stripped secret ships in a bundle",
		ArgsUsage: "DIR|FILE",
		Description: `Resolves the values of every infrastructure secret the store knows — of
every resource and scenario, from each configured source (the store's vault,
.env files, HashiCorp Vault, as secretsctl.yaml lists them) — and every
value the ledger issued to a deployment the key can read, plus the values
of the scenario's secrets stripped on the tier; then scans every byte of
the bundle for them: raw, base64 and base64url (padded or not, any
alignment), hex (lower and upper), URL-encoded, JSON-escaped and
quoted-printable; inside zip (.jar, .apk, .ipa), tar, tar.gz and Electron
.asar archives, nested: each entry's content and the archive's own bytes
(headers, names, extra fields, comments, bytes after its end or that no
index references). A rendered env or config file (.env, *.env, JSON,
YAML, TOML) that sets a stripped secret's name is a finding too.

A developer's .env with every secret of the workspace copied into one app's
bundle is caught this way. --scope scenario looks only for the scenario's
own infrastructure and stripped secrets. The command says how many values
it looked for and where they came from (counts only), and warns about
sources or deployments it could not read (an error with --strict). Ledger
values that deployments of the same scenario and tier were issued for
secrets the plan generates are not looked for: they may be the bundle's own.

Findings name the file (with the path inside archives, app.zip!/config.json,
or the place in an archive's own bytes, app.zip!<comment>),
the offset, the secret id (and the deployment, for a ledger value) and the
encoding — never the value. Values shorter
than 8 bytes are listed as unscannable, not matched. Archives are read as
streams, never extracted; one that nests too deep, holds too many entries,
expands past the limits (a zip bomb), has entries that overlap, fails its
checksum or has an entry leaving it (../) is refused with exit code 4.

Examples:
   secretsctl verify-bundle --scenario picker-wheel --tier desktop dist/
   secretsctl verify-bundle -s picker-wheel -t mobile app-release.apk
   secretsctl verify-bundle -s picker-wheel -t desktop --format sarif out/ > bundle.sarif

Exit code 10 means a secret was found in the bundle; 4 that an archive in it
is malformed or refused (zip bomb, ../ entry, a limit); 3 that a secret's
value is in no source (see --allow-missing).` + exitCodeHelp,
		Flags: append(readFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "scenario name", Required: true},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "tier id or alias (desktop, mobile, 2, 3...)", Required: true},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "output format: text, json or sarif (SARIF 2.1.0)"},
			&ucli.BoolFlag{Name: "allow-missing", Usage: "list secrets whose value no source has as unscannable instead of failing"},
			&ucli.StringFlag{Name: "scope", Value: scopeStore, Usage: "what to look for: store (every infrastructure value the store knows and every ledger value) or scenario (the scenario's own)"},
			&ucli.BoolFlag{Name: "strict", Usage: "fail when a source or a deployment's ledger cannot be read, instead of warning"},
			&ucli.IntFlag{Name: "workers", Usage: "files scanned in parallel", DefaultText: "the number of CPUs"},
			&ucli.IntFlag{Name: "max-depth", Value: 8, Usage: "how deep archives may nest"},
			&ucli.IntFlag{Name: "max-entries", Value: 1_000_000, Usage: "archive entries one file may hold"},
			&ucli.GenericFlag{Name: "max-expanded", Value: new(byteSize(64 << 30)), Usage: "bytes the bundle's archives may decompress to, all files counted (64GiB, 512MiB...)"},
			&ucli.Int64Flag{Name: "max-ratio", Value: 250, Usage: "times its compressed size an entry over 8 MiB may expand to"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() != 1 {
				return usagef("verify-bundle takes one DIR or FILE (got %d arguments)", c.NArg())
			}
			opts := verifyBundleOptions{storeOptions: readOptions(c), Scenario: c.String("scenario"), Tier: c.String("tier"),
				Path: c.Args().First(), Format: c.String("format"), AllowMissing: c.Bool("allow-missing"), Workers: c.Int("workers"),
				Scope: c.String("scope"), Strict: c.Bool("strict"), storeValues: storeValues(e, true),
				Limits: bundlescan.Limits{MaxDepth: c.Int("max-depth"), MaxEntries: c.Int("max-entries"),
					MaxExpanded: c.Value("max-expanded").(int64), MaxRatio: c.Int64("max-ratio")},
				resolve: bundleValues(e)}
			return runVerifyBundle(ctx, opts, e)
		},
	}
}

func runVerifyBundle(ctx context.Context, opts verifyBundleOptions, e *env) error {
	if !slices.Contains([]string{"text", "json", "sarif"}, opts.Format) {
		return usagef("unknown --format %q: want text, json or sarif", opts.Format)
	}
	if opts.Scope == "" {
		opts.Scope = scopeStore
	}
	if opts.Scope != scopeStore && opts.Scope != scopeScenario {
		return usagef("unknown --scope %q: want store or scenario", opts.Scope)
	}
	path := resolvePath(e, opts.Path)
	if _, err := os.Stat(path); err != nil {
		return &store.NotFoundError{Kind: "bundle", Name: opts.Path}
	}
	_, sn, err := opts.open(e)
	if err != nil {
		return err
	}
	m, err := plan.ForSnapshot(sn, opts.Scenario, opts.Tier)
	if err != nil {
		return err
	}
	ss, err := scanSetFor(ctx, sn, m, opts)
	if err != nil {
		return err
	}
	if err := warnUnreadable(e, ss, opts.Strict); err != nil {
		return err
	}
	bar := newByteProgress(e)
	rep, err := bundlescan.Scan(ctx, path, ss.secrets, bundlescan.Options{Workers: opts.Workers, Limits: opts.Limits, Progress: bar.update})
	bar.done()
	if err != nil {
		return err
	}
	rep.Unscannable = append(ss.unscannable, rep.Unscannable...)
	if err := writeBundleReport(e, opts, m, rep, ss.summary); err != nil {
		return err
	}
	if len(rep.Findings) > 0 {
		return checkFailed{}
	}
	return nil
}

// bundleSecrets lists what must not ship: the values of every
// infrastructure secret of the plan and of every secret stripped on the
// tier, and the env names of the stripped ones.
func bundleSecrets(ctx context.Context, sn *store.Snapshot, m *store.Manifest, opts verifyBundleOptions) ([]bundlescan.Secret, []bundlescan.Unscannable, error) {
	var (
		ids     []string
		secrets []bundlescan.Secret
		infra   = map[string]bool{}
	)
	for _, s := range m.Secrets {
		strip := s.HandlingStrategy == store.Strip
		if s.Classification != store.Infrastructure && !strip {
			continue
		}
		infra[s.ID] = s.Classification == store.Infrastructure
		ids = append(ids, s.ID)
		sec := bundlescan.Secret{ID: s.ID}
		if strip {
			sec.Names = envNames(s)
		}
		secrets = append(secrets, sec)
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	values, missing, err := opts.resolve(ctx, sn, m.Scenario, m.TierID, ids)
	if err != nil {
		return nil, nil, err
	}
	var unscannable []bundlescan.Unscannable
	var blocking []string
	for _, id := range missing {
		unscannable = append(unscannable, bundlescan.Unscannable{Secret: id, Reason: "no value in any configured source"})
		if infra[id] {
			blocking = append(blocking, id)
		}
	}
	if len(blocking) > 0 && !opts.AllowMissing {
		return nil, nil, &store.NotFoundError{Kind: "secret value", Name: strings.Join(blocking, ", "),
			Hint: "verify-bundle needs every infrastructure value to look for it: add it to a source (secretsctl set), or pass --allow-missing to skip it"}
	}
	for i := range secrets {
		secrets[i].Value = values[secrets[i].ID]
	}
	// A secret without a value is named once, above, as unscannable; the
	// scanner would name it again in its own words. One stripped by name
	// is still looked for by its names.
	secrets = slices.DeleteFunc(secrets, func(s bundlescan.Secret) bool { return len(s.Value) == 0 && len(s.Names) == 0 })
	return secrets, unscannable, nil
}

// envNames are the names a rendered env or config file would set for s.
func envNames(s store.ManifestSecret) []string {
	names := []string{s.SecretKey}
	for _, t := range s.Targets {
		if t.Type == "env" && t.Name != "" && !slices.Contains(names, t.Name) {
			names = append(names, t.Name)
		}
	}
	return names
}

// byteProgress shows "scanning X MiB" and files done of all on stderr
// (see [progress]).
type byteProgress struct{ p *progress }

func newByteProgress(e *env) *byteProgress {
	return &byteProgress{p: newProgressUnit(e, "scanning", "files", 0)}
}

func (b *byteProgress) update(p bundlescan.Progress) {
	b.p.set(p.FilesDone, p.Files, "scanning "+humanBytes(p.Bytes))
}

func (b *byteProgress) done() { b.p.done() }

// bundleValues resolves values from the configured sources (package
// resolve: filesystem vault, .env files, HashiCorp Vault) with the
// command's environment and working directory, for the ids asked; the ones
// no source has are returned as missing. A source that cannot be read is an
// error unless it is optional.
func bundleValues(e *env) valueResolver {
	return func(ctx context.Context, sn *store.Snapshot, scenario, tier string, ids []string) (map[string][]byte, []string, error) {
		opts := localOptions{Tier: tier, AllowMissing: true, ScenarioDir: e.cwd}.resolveOptions(e)
		res, err := resolvePlan(ctx, sn, scenario, tier, opts)
		if err != nil {
			return nil, nil, err
		}
		values := make(map[string][]byte, len(ids))
		var missing []string
		for _, id := range ids {
			if v, ok := res.Lookup(id); ok {
				values[id] = []byte(v.Value)
			} else {
				missing = append(missing, id)
			}
		}
		return values, missing, nil
	}
}
