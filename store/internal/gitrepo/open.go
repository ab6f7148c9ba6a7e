package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Repo is a git repository with a work tree. It is safe for concurrent use.
type Repo struct {
	root      string // absolute work tree root
	gitDir    string // per-work-tree git directory: HEAD, index
	commonDir string // shared git directory: objects, refs, config

	// mu serialises every use of repo: go-git's storage is not safe for
	// concurrent use (lazy maps, pack file offsets).
	mu   sync.Mutex
	repo *git.Repository

	hc headCache // what HEAD resolved to, for Head

	bare bool // no work tree: only branches other than HEAD's are written

	creds Credentials // explicit credentials for HTTPS remotes (see network)
}

// Open finds the git repository containing dir, walking up the parents as git
// does, and requires it to have a work tree. It returns an error wrapping
// [ErrNotRepo] when there is none.
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if _, berr := git.PlainOpen(abs); berr == nil {
			return nil, fmt.Errorf("open repository %s: bare repository has no work tree", abs)
		}
		return nil, fmt.Errorf("open repository %s: %w", abs, ErrNotRepo)
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", abs, err)
	}
	return newRepo(abs, keepPacksOpen(repo))
}

// OpenBare opens the bare repository at dir (a clone made with --bare, or a
// mirror). It has no work tree: it is read, and written only through
// [Repo.CommitBranch].
func OpenBare(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", dir, err)
	}
	g, err := git.PlainOpen(abs)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", abs, ErrNotRepo)
	}
	if _, err := g.Worktree(); !errors.Is(err, git.ErrIsBareRepository) {
		return nil, fmt.Errorf("open repository %s: not a bare repository", abs)
	}
	if st, ok := g.Storer.(*filesystem.Storage); ok {
		s := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRUDefault(), filesystem.Options{MaxOpenDescriptors: maxOpenPacks})
		if reopened, err := git.Open(s, nil); err == nil {
			g = reopened
		}
	}
	r := &Repo{root: abs, gitDir: abs, commonDir: abs, repo: g, bare: true}
	if err := r.checkFormat(); err != nil {
		return nil, fmt.Errorf("open repository %s: %w", abs, err)
	}
	return r, nil
}

// Bare reports whether the repository has no work tree.
func (r *Repo) Bare() bool { return r.bare }

// maxOpenPacks bounds the pack files a Repo keeps open between reads.
const maxOpenPacks = 8

// keepPacksOpen reopens a repository on storage that keeps pack files open
// between object reads. go-git's default storage opens the pack file and
// builds its reader anew for every object read from a pack, which made
// reading 10,000 ledger events or commits of a packed history slow (see
// docs/benchmarks.md). The repository files found are the same.
func keepPacksOpen(repo *git.Repository) *git.Repository {
	st, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return repo
	}
	wt, err := repo.Worktree()
	if err != nil {
		return repo
	}
	s := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRUDefault(), filesystem.Options{MaxOpenDescriptors: maxOpenPacks})
	reopened, err := git.Open(s, wt.Filesystem)
	if err != nil {
		return repo
	}
	return reopened
}

// Init creates a repository at dir, as git init with the initial branch
// "main" would, unless dir is already inside one. It returns the opened
// repository and whether it created it.
func Init(dir string) (repo *Repo, created bool, err error) {
	r, err := Open(dir)
	if err == nil {
		return r, false, nil
	}
	if !errors.Is(err, ErrNotRepo) {
		return nil, false, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, false, fmt.Errorf("init repository %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, false, fmt.Errorf("init repository: %w", err)
	}
	opts := &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}}
	if _, err := git.PlainInitWithOptions(abs, opts); err != nil {
		return nil, false, fmt.Errorf("init repository %s: %w", abs, err)
	}
	r, err = Open(abs)
	if err != nil {
		return nil, false, err
	}
	return r, true, nil
}

// newRepo locates the git directories of an opened repository and checks
// that this package can write to it.
func newRepo(abs string, repo *git.Repository) (*Repo, error) {
	wt, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return nil, fmt.Errorf("open repository %s: bare repository has no work tree", abs)
	}
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", abs, err)
	}
	root := wt.Filesystem.Root()
	gitDir, err := findGitDir(root)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", root, err)
	}
	r := &Repo{root: root, gitDir: gitDir, commonDir: findCommonDir(gitDir), repo: repo}
	if err := r.checkFormat(); err != nil {
		return nil, fmt.Errorf("open repository %s: %w", root, err)
	}
	return r, nil
}

// Root returns the absolute path of the work tree's top directory.
func (r *Repo) Root() string { return r.root }

// findGitDir returns the git directory of the work tree at root: root/.git,
// or the directory a .git file points to (linked work trees, submodules).
func findGitDir(root string) (string, error) {
	dot := filepath.Join(root, ".git")
	fi, err := os.Stat(dot)
	if err != nil {
		return "", err
	}
	if fi.IsDir() {
		return dot, nil
	}
	b, err := os.ReadFile(dot)
	if err != nil {
		return "", err
	}
	line := strings.TrimSpace(string(b))
	target, ok := strings.CutPrefix(line, "gitdir:")
	if !ok {
		return "", fmt.Errorf("read %s: no gitdir line", dot)
	}
	return absFrom(root, strings.TrimSpace(target)), nil
}

// findCommonDir returns the directory holding objects and refs: the one named
// by gitDir/commondir for a linked work tree, otherwise gitDir itself.
func findCommonDir(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	return absFrom(gitDir, strings.TrimSpace(string(b)))
}

func absFrom(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// checkFormat refuses repositories whose format go-git or this package's own
// ref and index writers do not understand.
func (r *Repo) checkFormat() error {
	r.mu.Lock()
	cfg, err := r.repo.Config()
	r.mu.Unlock()
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	ext := cfg.Raw.Section("extensions")
	if f := ext.Option("objectformat"); f != "" && !strings.EqualFold(f, "sha1") {
		return fmt.Errorf("object format %s is not supported", f)
	}
	if s := ext.Option("refstorage"); s != "" && !strings.EqualFold(s, "files") {
		return fmt.Errorf("ref storage %s is not supported", s)
	}
	return nil
}
