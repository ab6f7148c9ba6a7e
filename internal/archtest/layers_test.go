package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/secretsctl/secretsctl"

type pkg struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

func packages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var pkgs []pkg
	dec := json.NewDecoder(out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs = append(pkgs, p)
	}
	require.NoError(t, cmd.Wait())
	require.Greater(t, len(pkgs), 5)
	return pkgs
}

func isStd(path string) bool { return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") }

func TestLayers(t *testing.T) {
	for _, p := range packages(t) {
		inStore := p.ImportPath == module+"/store" || strings.HasPrefix(p.ImportPath, module+"/store/")
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, "github.com/go-git/") || strings.HasPrefix(imp, "github.com/getsops/") {
				assert.True(t, inStore, "%s imports %s: only store/ may touch git and sops", p.ImportPath, imp)
			}
			if imp == module+"/internal/cli" {
				assert.Equal(t, module+"/cmd/secretsctl", p.ImportPath, "%s imports internal/cli", p.ImportPath)
			}
		}
		if p.ImportPath == module+"/internal/ui" {
			for _, imp := range p.Imports {
				assert.True(t, isStd(imp), "internal/ui imports %s: the UI reads only the JSON API, so it needs only the standard library", imp)
			}
		}
		if p.ImportPath == module+"/internal/api" {
			for _, imp := range p.Imports {
				assert.True(t, apiMayImport(imp), "internal/api imports %s: its handlers only call store, internal/plan, internal/coverage, internal/gaps and internal/ledger, on Gin and Prometheus, served by net/http", imp)
			}
		}
		if p.ImportPath == module+"/dotenv" {
			for _, imp := range p.Imports {
				assert.True(t, isStd(imp), "dotenv imports %s: it is a standard-library-only parser", imp)
			}
		}
		if p.ImportPath == module+"/resolve" {
			for _, imp := range p.Imports {
				ok := isStd(imp) || imp == module+"/store" || imp == module+"/dotenv" ||
					imp == "github.com/hashicorp/vault/api" || imp == "gopkg.in/yaml.v3"
				assert.True(t, ok, "resolve imports %s: it may import store, dotenv, the Vault client and yaml (it takes a plan, it does not compute one)", imp)
			}
		}
		if strings.HasPrefix(p.ImportPath, module+"/") && !strings.HasPrefix(p.ImportPath, module+"/internal/") &&
			!strings.HasPrefix(p.ImportPath, module+"/cmd/") && p.ImportPath != module+"/resolve" {
			for _, imp := range p.Imports {
				assert.NotEqual(t, "github.com/hashicorp/vault/api", imp, "%s imports the Vault client: only resolve talks to Vault", p.ImportPath)
			}
		}
		if public := publicRoot(p.ImportPath); public != "" {
			for _, imp := range p.Imports {
				inside := strings.HasPrefix(imp, module+"/"+public+"/internal/")
				assert.False(t, strings.Contains(imp+"/", module+"/internal/") && !inside,
					"%s imports %s: a public package imports no internal package outside its own tree", p.ImportPath, imp)
			}
		}
		if strings.HasPrefix(p.ImportPath, module+"/hooks") {
			for _, imp := range p.Imports {
				assert.False(t, strings.HasPrefix(imp, module+"/internal/"), "%s imports %s: the public hooks SDK may not depend on internal packages", p.ImportPath, imp)
			}
		}
		if p.ImportPath == module+"/internal/bundlescan" {
			for _, imp := range p.Imports {
				assert.True(t, isStd(imp), "internal/bundlescan imports %s: the scanner takes values, not a store, and imports only the standard library", imp)
			}
		}
		if p.ImportPath == module+"/internal/ledger" {
			allowed := []string{module + "/store", module + "/hooks", module + "/internal/plan"}
			for _, imp := range p.Imports {
				assert.True(t, isStd(imp) || slices.Contains(allowed, imp), "internal/ledger imports %s: it may import only store, hooks, internal/plan and the standard library", imp)
			}
		}
		if p.ImportPath == module+"/internal/plan" {
			for _, imp := range p.Imports {
				assert.True(t, isStd(imp) || imp == module+"/store", "internal/plan imports %s: it may import only store and the standard library", imp)
			}
		}
	}
}

// apiMayImport is what internal/api may import: the standard library, Gin,
// the Prometheus client, singleflight, and the packages whose functions its
// handlers call.
func apiMayImport(imp string) bool {
	switch imp {
	case module + "/store", module + "/internal/plan", module + "/internal/coverage", module + "/internal/gaps", module + "/internal/ledger",
		"golang.org/x/sync/singleflight":
		return true
	}
	return isStd(imp) || strings.HasPrefix(imp, "github.com/gin-gonic/gin") ||
		strings.HasPrefix(imp, "github.com/prometheus/client_golang/")
}

// test that the binary has one HTTP implementation, net/http: no second
// HTTP/1.1 parser (such as fasthttp) sits on serve's request path.
func TestOneHTTPStack(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", module+"/cmd/secretsctl").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "net/http")
	for _, d := range deps {
		assert.NotContains(t, d, "fasthttp", "cmd/secretsctl depends on %s", d)
	}
}

// publicRoot is the top directory of a public package of the module
// (store, hooks, resolve, dotenv…), "" for internal/, cmd/ and other modules.
func publicRoot(path string) string {
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	root, _, _ := strings.Cut(rest, "/")
	if root == "internal" || root == "cmd" {
		return ""
	}
	return root
}
