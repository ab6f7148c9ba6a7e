package sopsfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"filippo.io/age"
	"github.com/google/shlex"
)

// Environment variables that locate age identities, as in sops.
const (
	envAgeKey     = "SOPS_AGE_KEY"
	envAgeKeyFile = "SOPS_AGE_KEY_FILE"
	envAgeKeyCmd  = "SOPS_AGE_KEY_CMD"
)

// defaultKeysPath is sops' keys file below the user configuration directory.
const defaultKeysPath = "sops/age/keys.txt"

// Keyring holds age identities, loaded once and applied to the age master
// keys of every document [Decrypt] opens. It is safe for concurrent use and
// never prints its keys.
type Keyring struct {
	ids        []age.Identity
	recipients []string // public recipients of ids, where known
	skipped    int      // identities present but not supported (plugins)
}

// LoadKeyring loads age identities from the places sops v3.13.3 reads them
// and combines them all, as sops does:
//   - SOPS_AGE_KEY: identities inline, several per line allowed;
//   - SOPS_AGE_KEY_FILE: a file with one identity per line;
//   - SOPS_AGE_KEY_CMD: a command whose output holds one identity per line;
//     like sops, it is split into words with shell quoting rules and run
//     without a shell, and it runs once, not per file (so without sops'
//     SOPS_AGE_RECIPIENT variable);
//   - sops/age/keys.txt below the user configuration directory, when it
//     exists: $XDG_CONFIG_HOME, else $HOME/.config on Linux; on macOS
//     $XDG_CONFIG_HOME, else $HOME/Library/Application Support.
//
// Empty lines and lines starting with "#" are ignored. Age plugin identities
// (AGE-PLUGIN-…) are skipped, and sops' SSH key sources are not read.
// Environment variables come from getenv (tests pass a map lookup). No key
// configured anywhere is not an error: the Keyring is then empty.
func LoadKeyring(getenv func(string) string) (*Keyring, error) {
	kr := &Keyring{}
	if v := getenv(envAgeKey); v != "" {
		if err := kr.parse(envAgeKey, v, true); err != nil {
			return nil, err
		}
	}
	if path := getenv(envAgeKeyFile); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", envAgeKeyFile, err)
		}
		if err := kr.parse(envAgeKeyFile, string(data), false); err != nil {
			return nil, err
		}
	}
	if command := getenv(envAgeKeyCmd); command != "" {
		out, err := runKeyCommand(command)
		if err != nil {
			return nil, err
		}
		if err := kr.parse(envAgeKeyCmd, string(out), false); err != nil {
			return nil, err
		}
	}
	if err := kr.loadDefaultFile(getenv); err != nil {
		return nil, err
	}
	return kr, nil
}

// ParseKeyring returns a Keyring of the age identities in the given text,
// one or more per line (the SOPS_AGE_KEY format). It is meant for tests and
// keys passed explicitly.
func ParseKeyring(identities string) (*Keyring, error) {
	kr := &Keyring{}
	if err := kr.parse("identities", identities, true); err != nil {
		return nil, err
	}
	return kr, nil
}

// Empty reports whether the Keyring holds no usable identity.
func (k *Keyring) Empty() bool {
	return k == nil || len(k.ids) == 0
}

// Recipients returns the public age recipients of the loaded identities, in
// load order: X25519 ones and post-quantum hybrid ones.
func (k *Keyring) Recipients() []string {
	if k == nil {
		return nil
	}
	return append([]string(nil), k.recipients...)
}

// String describes the Keyring without any key material.
func (k *Keyring) String() string {
	if k == nil {
		return "sopsfile.Keyring(nil)"
	}
	return fmt.Sprintf("sopsfile.Keyring(%d identities)", len(k.ids))
}

// GoString is String, so that %#v does not print keys either.
func (k *Keyring) GoString() string { return k.String() }

// loadDefaultFile adds sops' default keys file if it exists.
func (k *Keyring) loadDefaultFile(getenv func(string) string) error {
	dir, err := userConfigDir(getenv)
	if err != nil {
		return nil // sops too carries on without the default file
	}
	path := filepath.Join(dir, filepath.FromSlash(defaultKeysPath))
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read default age keys file: %w", err)
	}
	return k.parse(path, string(data), false)
}

// userConfigDir is os.UserConfigDir with an injected getenv, plus sops'
// rule that $XDG_CONFIG_HOME also counts on macOS.
func userConfigDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows":
		return nonEmpty(getenv("AppData"), "%AppData%")
	case "darwin", "ios":
		if dir := getenv("XDG_CONFIG_HOME"); dir != "" {
			return dir, nil
		}
		home, err := nonEmpty(getenv("HOME"), "$HOME")
		return filepath.Join(home, "Library", "Application Support"), err
	case "plan9":
		home, err := nonEmpty(getenv("home"), "$home")
		return filepath.Join(home, "lib"), err
	}
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" {
		if !filepath.IsAbs(dir) {
			return "", errors.New("path in $XDG_CONFIG_HOME is relative")
		}
		return dir, nil
	}
	home, err := nonEmpty(getenv("HOME"), "$HOME")
	return filepath.Join(home, ".config"), err
}

// nonEmpty returns v, or an error naming the variable when v is empty.
func nonEmpty(v, name string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("%s is not defined", name)
	}
	return v, nil
}

// runKeyCommand runs SOPS_AGE_KEY_CMD the way sops does and returns its
// standard output. Neither the command line nor its output appear in errors.
func runKeyCommand(command string) ([]byte, error) {
	args, err := shlex.Split(command)
	if err != nil || len(args) == 0 {
		return nil, fmt.Errorf("parse %s: not a command line", envAgeKeyCmd)
	}
	out, err := exec.Command(args[0], args[1:]...).Output()
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", envAgeKeyCmd, err)
	}
	return out, nil
}

// parse adds the identities in text, read from source. With several
// allowed, each line may hold several space-separated identities.
func (k *Keyring) parse(source, text string, several bool) error {
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		words := []string{line}
		if several {
			words = strings.Fields(line)
		}
		for _, w := range words {
			if err := k.add(w); err != nil {
				return fmt.Errorf("parse age identity in %s, line %d: %w", source, n, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read age identities from %s: %w", source, err)
	}
	return nil
}

// errMalformedIdentity replaces age's parse errors, which can quote
// characters of the key.
var errMalformedIdentity = errors.New("malformed identity")

// add parses one identity; only the identity types sops reads are accepted.
func (k *Keyring) add(s string) error {
	switch {
	case strings.HasPrefix(s, "AGE-PLUGIN-"):
		k.skipped++
		return nil
	case strings.HasPrefix(s, "AGE-SECRET-KEY-PQ-1"):
		id, err := age.ParseHybridIdentity(s)
		if err != nil {
			return errMalformedIdentity
		}
		k.ids = append(k.ids, id)
		k.recipients = append(k.recipients, id.Recipient().String())
	case strings.HasPrefix(s, "AGE-SECRET-KEY-1"):
		id, err := age.ParseX25519Identity(s)
		if err != nil {
			return errMalformedIdentity
		}
		k.ids = append(k.ids, id)
		k.recipients = append(k.recipients, id.Recipient().String())
	default:
		return errors.New("not an age identity (AGE-SECRET-KEY-1…)")
	}
	return nil
}
