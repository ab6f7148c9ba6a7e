package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/config"
)

// errNoIdentity asks the user for an identity, naming both ways to give one.
var errNoIdentity = errors.New("no author identity: set user.name and user.email with git config, or pass --author")

// author completes sig as git does: from $GIT_AUTHOR_NAME and
// $GIT_AUTHOR_EMAIL (else $EMAIL), then the repository's config, then the
// global one ($GIT_CONFIG_GLOBAL, or ~/.gitconfig then
// $XDG_CONFIG_HOME/git/config), each filling what is still missing.
func (r *Repo) author(sig Signature) (Signature, error) {
	sig = fromEnv(sig, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "EMAIL")
	if sig.Name == "" || sig.Email == "" {
		r.mu.Lock()
		cfg, err := r.repo.Config()
		r.mu.Unlock()
		if err != nil {
			return Signature{}, fmt.Errorf("read repository config: %w", err)
		}
		sig = fill(sig, cfg)
	}
	for _, file := range globalConfigFiles() {
		if sig.Name != "" && sig.Email != "" {
			break
		}
		cfg, err := readConfigFile(file)
		if err != nil {
			return Signature{}, err
		}
		sig = fill(sig, cfg)
	}
	if sig.Name == "" || sig.Email == "" {
		return Signature{}, errNoIdentity
	}
	if err := checkSignature(sig); err != nil {
		return Signature{}, err
	}
	return sig, nil
}

// fromEnv trims sig and sets its empty fields from the environment
// variables nameVar and the first of emailVars that is set.
func fromEnv(sig Signature, nameVar string, emailVars ...string) Signature {
	sig.Name, sig.Email = strings.TrimSpace(sig.Name), strings.TrimSpace(sig.Email)
	if sig.Name == "" {
		sig.Name = strings.TrimSpace(os.Getenv(nameVar))
	}
	for _, v := range emailVars {
		if sig.Email == "" {
			sig.Email = strings.TrimSpace(os.Getenv(v))
		}
	}
	return sig
}

// committer is who commits for author: $GIT_COMMITTER_NAME and
// $GIT_COMMITTER_EMAIL where set, as git reads them, else the author.
func committer(author Signature) (Signature, error) {
	c := fromEnv(Signature{}, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")
	if c.Name == "" {
		c.Name = author.Name
	}
	if c.Email == "" {
		c.Email = author.Email
	}
	if err := checkSignature(c); err != nil {
		return Signature{}, fmt.Errorf("GIT_COMMITTER_NAME/GIT_COMMITTER_EMAIL: %w", err)
	}
	return c, nil
}

// fill sets the empty fields of sig from cfg's [user] section.
func fill(sig Signature, cfg *config.Config) Signature {
	if cfg == nil {
		return sig
	}
	if sig.Name == "" {
		sig.Name = strings.TrimSpace(cfg.User.Name)
	}
	if sig.Email == "" {
		sig.Email = strings.TrimSpace(cfg.User.Email)
	}
	return sig
}

// globalConfigFiles lists the user's git configuration files by decreasing
// precedence, as git reads them. go-git's config.LoadConfig is not used: it
// ignores GIT_CONFIG_GLOBAL and stops at the first file that exists.
func globalConfigFiles() []string {
	if p := os.Getenv("GIT_CONFIG_GLOBAL"); p != "" {
		return []string{p}
	}
	var files []string
	home, err := os.UserHomeDir()
	if err == nil {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	if xdg := os.Getenv("XDG_CONFIG_HOME"); xdg != "" {
		files = append(files, filepath.Join(xdg, "git", "config"))
	} else if err == nil {
		files = append(files, filepath.Join(home, ".config", "git", "config"))
	}
	return files
}

// readConfigFile parses one git configuration file; a missing file is
// empty. Includes are not followed.
func readConfigFile(file string) (*config.Config, error) {
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read git config: %w", err)
	}
	defer f.Close()
	cfg, err := config.ReadConfig(f)
	if err != nil {
		return nil, fmt.Errorf("read git config %s: %w", file, err)
	}
	return cfg, nil
}
