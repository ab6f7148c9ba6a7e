package main

import (
	"os"
	"os/exec"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/secretsctl/secretsctl/internal/vaulttest"
)

// vaultdev: a real Vault dev server on a loopback port for this script,
// with the transit engine enabled and a key "team" created through the
// HTTP API. It sets VAULT_ADDR, VAULT_TOKEN (the root token, as sops reads
// it) and VAULT_TRANSIT_URI (the key as hc_vault_transit_uri names it).
func cmdVaultdev(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: vaultdev")
	}
	bin, ok := vaulttest.Find()
	if !ok {
		requireTool(ts, "the vault server binary")
	}
	dir := ts.MkAbs(".vault")
	ts.Check(os.MkdirAll(dir, 0o700))
	s, stop, err := vaulttest.Launch(bin, dir)
	ts.Check(err)
	ts.Defer(stop)
	uri, err := s.TransitKey("team")
	ts.Check(err)
	ts.Setenv("VAULT_ADDR", s.Addr)
	ts.Setenv("VAULT_TOKEN", vaulttest.RootToken)
	ts.Setenv("VAULT_TRANSIT_URI", uri)
}

// gpgkey: a throwaway GNUPGHOME (under /tmp: gpg-agent's socket path must
// be short) holding one new PGP key without passphrase. It sets GNUPGHOME
// and PGP_FPR, the key's fingerprint, and stops the agent at the end.
func cmdGpgkey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: gpgkey")
	}
	gpg, err := exec.LookPath("gpg")
	if err != nil {
		requireTool(ts, "gpg (Debian's gnupg)")
	}
	home, err := os.MkdirTemp("", "gpg")
	ts.Check(err)
	run := func(args ...string) string {
		cmd := exec.Command(gpg, append([]string{"--batch", "--homedir", home}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			ts.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	ts.Defer(func() {
		kill := exec.Command("gpgconf", "--kill", "all")
		kill.Env = append(os.Environ(), "GNUPGHOME="+home)
		_ = kill.Run()
		os.RemoveAll(home)
	})
	run("--passphrase", "", "--quick-generate-key", "Secretsctl Test <test@example.com>", "default", "default", "never")
	fpr := ""
	for _, line := range strings.Split(run("--with-colons", "--list-secret-keys"), "\n") {
		if f := strings.Split(line, ":"); len(f) > 9 && f[0] == "fpr" {
			fpr = f[9]
			break
		}
	}
	if fpr == "" {
		ts.Fatalf("gpg: no fingerprint for the new key")
	}
	ts.Setenv("GNUPGHOME", home)
	ts.Setenv("PGP_FPR", fpr)
}

// requireTool fails the script without the tool; scripts that use the
// command guard it with [exec:…] conditions, and scripts/test-deps.sh
// installs it for make test.
func requireTool(ts *testscript.TestScript, what string) {
	ts.Fatalf("%s is not installed: scripts/test-deps.sh installs it", what)
}
