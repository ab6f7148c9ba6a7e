package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/secretsctl/secretsctl/store"
)

// vaultSource reads a HashiCorp Vault KV v2 mount.
type vaultSource struct {
	s        store.SourceSpec
	addr     string
	ns       string
	token    func() (string, error)
	scenario string

	once   sync.Once
	client *vault.Client
	err    error
}

func newVaultSource(s store.SourceSpec, opts Options, scenario string) *vaultSource {
	getenv := opts.getenv()
	v := &vaultSource{s: s, addr: s.Address, ns: s.Namespace, scenario: scenario}
	if v.addr == "" {
		v.addr = getenv("VAULT_ADDR")
	}
	if v.ns == "" {
		v.ns = getenv("VAULT_NAMESPACE")
	}
	v.token = func() (string, error) { return vaultToken(s.TokenFile, getenv) }
	return v
}

// vaultToken is $VAULT_TOKEN, else the token file (the source's, else
// ~/.vault-token, where `vault login` leaves it).
func vaultToken(file string, getenv func(string) string) (string, error) {
	if t := getenv("VAULT_TOKEN"); t != "" {
		return t, nil
	}
	explicit := file != ""
	if !explicit {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("no token: set VAULT_TOKEN or token_file")
		}
		file = filepath.Join(home, ".vault-token")
	} else if strings.HasPrefix(file, "~/") {
		file = filepath.Join(getenv("HOME"), file[2:])
	}
	data, err := os.ReadFile(file)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return "", errors.New("no token: set VAULT_TOKEN or token_file (or run vault login)")
		}
		return "", fmt.Errorf("read token file: %w", err)
	}
	t := strings.TrimSpace(string(data))
	if t == "" {
		return "", fmt.Errorf("token file %s is empty", file)
	}
	return t, nil
}

func (v *vaultSource) spec() store.SourceSpec { return v.s }

func (v *vaultSource) describe() string {
	return fmt.Sprintf("VAULT_ADDR=%s mount %s path %s field %s", v.addrOrUnset(), v.s.Mount, v.s.Path, v.s.Field)
}

func (v *vaultSource) addrOrUnset() string {
	if v.addr == "" {
		return "(unset)"
	}
	return v.addr
}

// secretPath is the path inside the mount and the field of a secret.
func (v *vaultSource) secretPath(w want) (path, field string) {
	vars := map[string]string{"resource": w.owner, "owner": w.owner, "key": w.key, "scenario": v.scenario, "id": w.id}
	path = store.ExpandTemplate(v.s.Path, vars)
	if w.vaultPath != "" {
		path = w.vaultPath
	}
	path = strings.TrimPrefix(strings.Trim(path, "/"), v.s.Mount+"/data/")
	return path, store.ExpandTemplate(v.s.Field, vars)
}

func (v *vaultSource) apiPath(path string) string { return v.s.Mount + "/data/" + path }

func (v *vaultSource) where(w want) string {
	path, field := v.secretPath(w)
	return fmt.Sprintf("Vault %s %s#%s", v.addrOrUnset(), v.apiPath(path), field)
}

func (v *vaultSource) fail(path string, err error) error {
	where := "VAULT_ADDR=" + v.addrOrUnset()
	if path != "" {
		where += " path " + path
	}
	return &SourceError{Source: v.s.Name, Kind: v.s.Kind, Where: where, Err: err}
}

func (v *vaultSource) open() (*vault.Client, error) {
	v.once.Do(func() {
		if v.addr == "" {
			v.err = v.fail("", errors.New("no Vault address: set VAULT_ADDR or the source's address"))
			return
		}
		cfg := vault.DefaultConfig()
		cfg.Address = v.addr
		cfg.MaxRetries = 0
		cfg.Timeout = 10 * time.Second
		client, err := vault.NewClient(cfg)
		if err != nil {
			v.err = v.fail("", err)
			return
		}
		token, err := v.token()
		if err != nil {
			v.err = v.fail("", err)
			return
		}
		client.SetToken(token)
		client.ClearNamespace()
		if v.ns != "" {
			client.SetNamespace(v.ns)
		}
		v.client = client
	})
	return v.client, v.err
}

func (v *vaultSource) lookup(ctx context.Context, wants []want) (map[string]hit, error) {
	client, err := v.open()
	if err != nil {
		return nil, err
	}
	kv := client.KVv2(v.s.Mount)
	hits := map[string]hit{}
	for _, w := range wants {
		path, field := v.secretPath(w)
		sec, err := kv.Get(ctx, path)
		if errors.Is(err, vault.ErrSecretNotFound) {
			continue
		}
		if err != nil {
			return hits, v.fail(v.apiPath(path), vaultReason(err))
		}
		if sec == nil || sec.Data == nil {
			continue // deleted or destroyed version
		}
		raw, ok := sec.Data[field]
		if !ok {
			continue
		}
		s, ok := raw.(string)
		if !ok {
			return hits, v.fail(v.apiPath(path), fmt.Errorf("field %q is a %T, not a string", field, raw))
		}
		prov := Provenance{Kind: v.s.Kind, Name: v.s.Name, Address: v.addr, Path: v.apiPath(path), Field: field}
		if sec.VersionMetadata != nil {
			prov.Version = sec.VersionMetadata.Version
		}
		hits[w.id] = hit{value: s, prov: prov}
	}
	return hits, nil
}

// vaultReason turns a client error into a short reason: forbidden, down,
// or Vault's own error text (which never holds a secret value).
func vaultReason(err error) error {
	var re *vault.ResponseError
	if errors.As(err, &re) {
		switch re.StatusCode {
		case http.StatusForbidden:
			return fmt.Errorf("permission denied (HTTP 403): the token (VAULT_TOKEN) may not read this path")
		case http.StatusServiceUnavailable:
			return fmt.Errorf("vault is sealed or unavailable (HTTP 503)")
		}
		return fmt.Errorf("HTTP %d: %s", re.StatusCode, strings.Join(re.Errors, "; "))
	}
	if strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "no such host") ||
		strings.Contains(err.Error(), "timeout") || strings.Contains(err.Error(), "deadline exceeded") {
		return fmt.Errorf("vault is unreachable (is it running?): %w", err)
	}
	return err
}

func (v *vaultSource) check(ctx context.Context) error {
	client, err := v.open()
	if err != nil {
		return err
	}
	if _, err := client.Auth().Token().LookupSelfWithContext(ctx); err != nil {
		return v.fail("auth/token/lookup-self", vaultReason(err))
	}
	return nil
}
