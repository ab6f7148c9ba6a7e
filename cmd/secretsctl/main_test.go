package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/secretsctl/secretsctl/internal/cli"
	"github.com/secretsctl/secretsctl/internal/sarif/sariftest"
	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"secretsctl": func() { os.Exit(cli.Main(os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar: one script per command and one
// per regression.
func TestScripts(t *testing.T) {
	requireScriptTools(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               setup,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"mkexample": cmdMkexample,
			"seal":      cmdSeal,
			"perm":      cmdPerm,
			"replace":   cmdReplace,
			"sarif":     cmdSARIF,
			"vaultdev":  cmdVaultdev,
			"gpgkey":    cmdGpgkey,
		},
	})
}

// scriptTools are the programs scripts skip themselves without
// (`[!exec:NAME] skip`), all installed by scripts/test-deps.sh. Under CI a
// missing one fails the run, so that no script is skipped there.
var scriptTools = []string{"sops", "vault", "gpg", "zip", "tar", "gzip", "sh", "bash", "zsh", "fish"}

func requireScriptTools(t *testing.T) {
	if os.Getenv("CI") == "" {
		return
	}
	for _, tool := range scriptTools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("CI: %s is not on PATH; scripts/test-deps.sh installs it", tool)
		}
	}
}

// setup isolates HOME, git and sops configuration for every script.
func setup(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	gitconfig := filepath.Join(home, ".gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[user]\n\tname = Script Author\n\temail = script@example.com\n[init]\n\tdefaultBranch = main\n"), 0o644); err != nil {
		return err
	}
	env.Setenv("HOME", home)
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	env.Setenv("GIT_CONFIG_GLOBAL", gitconfig)
	env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	env.Setenv("GIT_AUTHOR_DATE", storetest.FixedDate)
	env.Setenv("GIT_COMMITTER_DATE", storetest.FixedDate)
	env.Setenv("EXAMPLE", storetest.ExampleDir())
	env.Setenv("DEMO_KEY", storetest.DemoKeyFile())
	// Unset, not empty: sops 3.13.3 panics on an empty SOPS_AGE_KEY_CMD.
	env.Vars = slices.DeleteFunc(env.Vars, func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", "SECRETSCTL_STORE"}, name)
	})
	return nil
}

// mkexample DIR: the example store copied into a new git repository at DIR,
// committed once.
func cmdMkexample(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: mkexample DIR")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(storetest.CopyTree(storetest.ExampleDir(), dir))
	for _, a := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "example store"}} {
		ts.Check(ts.Exec("git", append([]string{"-C", dir}, a...)...))
	}
}

// seal STORE FILE...: encrypt plaintext documents in place with the store's
// .sops.yaml (the script's SOPS_AGE_* environment applies).
func cmdSeal(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: seal STORE FILE...")
	}
	s, err := store.Open(ts.MkAbs(args[0]), store.Options{Getenv: ts.Getenv})
	ts.Check(err)
	for _, f := range args[1:] {
		ts.Check(s.SealFile(f))
	}
}

// perm FILE MODE: the file's permission bits are MODE (octal).
func cmdPerm(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: perm FILE MODE")
	}
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	if got := fi.Mode().Perm(); (got == fs.FileMode(want)) == neg {
		ts.Fatalf("%s has mode %#o, want %s%#o", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// replace FILE OLD NEW: replace the first OLD in FILE by NEW, as a hand edit
// made without the key would.
func cmdReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	if !strings.Contains(string(data), args[1]) {
		ts.Fatalf("%s does not contain %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(path, []byte(strings.Replace(string(data), args[1], args[2], 1)), 0o644))
	fmt.Fprintf(ts.Stdout(), "replaced in %s\n", args[0])
}

// sarif FILE: FILE is a SARIF 2.1.0 log that validates against the official
// schema (vendored in internal/sarif/sariftest).
func cmdSARIF(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: sarif FILE")
	}
	err := sariftest.Check([]byte(ts.ReadFile(args[0])))
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s is not valid SARIF 2.1.0: %v", args[0], err)
	case err == nil && neg:
		ts.Fatalf("%s is valid SARIF 2.1.0", args[0])
	}
}
