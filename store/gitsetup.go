package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
)

// MergeDriverName is the name of the git merge driver secretsctl registers
// (merge.<name>.driver in git config, merge=<name> in .gitattributes).
const MergeDriverName = "secretsctl"

// MergeDriverCommand is the command git runs for a store document both
// branches changed: the ancestor's, our and their versions, and the path.
const MergeDriverCommand = "secretsctl merge-driver %O %A %B %P"

// gitattributesLines send the store's documents to the merge driver.
var gitattributesLines = []string{
	"# secretsctl: merge store documents decrypted, by key path (secretsctl merge-driver)",
	ConfigFile + " merge=" + MergeDriverName,
	"resources/*.yaml merge=" + MergeDriverName,
	"scenarios/*.yaml merge=" + MergeDriverName,
	"vault/*.yaml merge=" + MergeDriverName,
}

// gitignoreLines keep plaintext values and temporaries out of git: dotenv
// files (the default local source), decrypted copies, secretsctl's own
// temporaries and editor backups.
var gitignoreLines = []string{
	"# secretsctl: keep plaintext values, decrypted temporaries and editor backups out of git",
	".env", "*.env", ".env.*", "!.env.example",
	"*.decrypted", "*.decrypted.*", "*.plain.yaml", ".secretsctl-*",
	"*~", "*.swp", "*.swo", ".*.sw?", "\\#*\\#", ".#*", "*.bak", "*.orig", "*.rej",
}

// GitSetup says what [Init] changed in the repository's git setup.
type GitSetup struct {
	// Committed are the files (.gitattributes, .gitignore) the init
	// commit created, store-relative.
	Committed []string
	// Written are the files written or extended on disk, for the user to
	// review and commit.
	Written []string
	// Driver is true when merge.secretsctl.driver and .name were set in
	// the repository's config (.git/config).
	Driver bool
}

// gitFiles returns the content .gitattributes and .gitignore should have
// in dir, for those that lack some of secretsctl's lines.
func gitFiles(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for name, lines := range map[string][]string{".gitattributes": gitattributesLines, ".gitignore": gitignoreLines} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if extended, ok := withLines(data, lines); ok {
			out[name] = extended
		}
	}
	return out, nil
}

// withLines appends the lines data lacks, and reports whether it lacked any.
func withLines(data []byte, lines []string) ([]byte, bool) {
	have := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := range have {
		have[i] = strings.TrimSpace(have[i])
	}
	var missing []string
	for _, l := range lines[1:] {
		if !slices.Contains(have, l) {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		return data, false
	}
	out := string(data)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	if !slices.Contains(have, lines[0]) {
		missing = append([]string{lines[0]}, missing...)
	}
	return []byte(out + strings.Join(missing, "\n") + "\n"), true
}

// registerDriver sets the merge driver in the repository's config.
func registerDriver(repo *gitrepo.Repo) (bool, error) {
	return repo.SetLocalConfig("merge", MergeDriverName, [][2]string{
		{"name", "secretsctl: three-way merge of decrypted store documents"},
		{"driver", MergeDriverCommand},
	})
}

// setupExisting adds what an existing store lacks: the lines of
// .gitattributes and .gitignore, written on disk, and the merge driver.
func setupExisting(dir string) (GitSetup, error) {
	var g GitSetup
	repo, err := gitrepo.Open(dir)
	if err != nil {
		return g, err
	}
	files, err := gitFiles(dir)
	if err != nil {
		return g, err
	}
	for _, name := range sortedKeys(files) {
		if err := writeFileAtomic(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return g, err
		}
		g.Written = append(g.Written, name)
	}
	g.Driver, err = registerDriver(repo)
	return g, err
}

// addFiles puts the git files a new store lacks into its init commit, or,
// when one already exists in the directory (so the commit would refuse to
// overwrite it), extends it on disk.
func (g *GitSetup) addFiles(dir string, commit map[string][]byte) error {
	files, err := gitFiles(dir)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(files) {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			g.Written = append(g.Written, name)
			if err := writeFileAtomic(filepath.Join(dir, name), files[name], 0o644); err != nil {
				return err
			}
			continue
		}
		g.Committed = append(g.Committed, name)
		commit[name] = files[name]
	}
	return nil
}
