package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
	"github.com/secretsctl/secretsctl/store/internal/sopsfile"
	"gopkg.in/yaml.v3"
)

// WorktreeRevision is the revision reported for a snapshot of the files on
// disk.
const WorktreeRevision = "worktree"

// ReadOptions selects what a [Snapshot] reads.
type ReadOptions struct {
	// Rev is any commit, tag or branch; HEAD when empty.
	Rev string
	// Worktree reads the files on disk, committed or not.
	Worktree bool
	// AllowUnverified lets documents be read without the private key; their
	// integrity is then reported unverified. Without it, a missing key is a
	// [*KeyError].
	AllowUnverified bool
}

// Snapshot is the store at one revision. Documents are decrypted and
// validated on first use and kept; returned documents are shared and must
// not be modified. A Snapshot is safe for concurrent use.
type Snapshot struct {
	// Revision is the full commit hash, or [WorktreeRevision].
	Revision string
	// Time is the commit time of the revision (of HEAD for a work tree
	// snapshot), in UTC.
	Time time.Time

	store           *Store
	src             source
	allowUnverified bool

	config    *Config
	tiers     *TierCatalog
	resources []string
	scenarios []string

	mu         sync.Mutex
	docs       map[string]*docResult // store-relative path -> decoded document
	unverified map[string]bool
	noKey      map[string]noKeyNote // why no key opened an unverified file
	unsealed   map[string]bool
	lines      map[string]positions // file -> where each value is

	lv ledgerView // where the ledger is read from (ledgerbranch.go)
}

// verifiedDoc is a decrypted, verified document as the store caches it.
type verifiedDoc struct {
	node   *yaml.Node
	sealed bool
}

type docResult struct {
	once sync.Once
	doc  any
	err  error
}

// Snapshot reads the store at a revision. The configuration and the lists
// of documents are read at once; documents themselves on first use.
func (s *Store) Snapshot(opts ReadOptions) (*Snapshot, error) {
	sn := &Snapshot{store: s, allowUnverified: opts.AllowUnverified,
		docs: map[string]*docResult{}, unverified: map[string]bool{}, unsealed: map[string]bool{},
		lines: map[string]positions{}}
	head, err := s.repo.Resolve(opts.Rev)
	switch {
	case opts.Worktree && s.repo.Bare():
		return nil, fmt.Errorf("read the work tree: %s is a bare repository", s.dir)
	case opts.Worktree:
		sn.src, sn.Revision = worktreeSource{s}, WorktreeRevision
		if err == nil {
			sn.Time = head.Time.UTC()
		}
	case err != nil:
		return nil, revisionError(opts.Rev, err)
	default:
		tree, err := s.repo.Tree(head)
		if err != nil {
			return nil, fmt.Errorf("read revision %s: %w", head.Hash, err)
		}
		sn.src, sn.Revision, sn.Time = treeSource{s, tree}, head.Hash, head.Time.UTC()
	}
	if err := sn.loadIndex(); err != nil {
		return nil, err
	}
	return sn, nil
}

func revisionError(rev string, err error) error {
	if rev == "" {
		rev = "HEAD"
	}
	if errors.Is(err, gitrepo.ErrUnknownRevision) || errors.Is(err, gitrepo.ErrNoCommits) {
		return fmt.Errorf("%w: %v", &NotFoundError{Kind: "revision", Name: rev}, err)
	}
	return fmt.Errorf("resolve revision %s: %w", rev, err)
}

func (sn *Snapshot) loadIndex() error {
	var cfg Config
	doc, err := sn.plaintext(ConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return &NotFoundError{Kind: "store", Name: ConfigFile + " at revision " + sn.Revision}
	}
	if err != nil {
		return err
	}
	pos, err := decodeNode(ConfigFile, doc, &cfg)
	if err != nil {
		return err
	}
	sn.setPositions(ConfigFile, pos)
	cat, err := normalizeConfig(ConfigFile, &cfg)
	if err != nil {
		return withLine(err, pos)
	}
	sn.config, sn.tiers = &cfg, cat
	if sn.resources, err = docNames(sn.src, "resources"); err != nil {
		return fmt.Errorf("list resources: %w", err)
	}
	if sn.scenarios, err = docNames(sn.src, "scenarios"); err != nil {
		return fmt.Errorf("list scenarios: %w", err)
	}
	return nil
}

// Config returns secretsctl.yaml at this revision.
func (sn *Snapshot) Config() *Config { return sn.config }

// Tiers returns the tier catalogue at this revision.
func (sn *Snapshot) Tiers() *TierCatalog { return sn.tiers }

// ResourceNames returns the names of every resource, sorted.
func (sn *Snapshot) ResourceNames() []string { return sn.resources }

// ScenarioNames returns the names of every scenario, sorted.
func (sn *Snapshot) ScenarioNames() []string { return sn.scenarios }

// Resource returns a resource document.
func (sn *Snapshot) Resource(name string) (*Resource, error) {
	doc, err := sn.document("resources/"+name+".yaml", func(file string, node *yaml.Node) (any, error) {
		var r Resource
		pos, err := decodeNode(file, node, &r)
		if err != nil {
			return nil, err
		}
		sn.setPositions(file, pos)
		return &r, withLine(normalizeResource(sn.tiers, file, name, &r), pos)
	}, "resource", name, sn.resources)
	if err != nil {
		return nil, err
	}
	return doc.(*Resource), nil
}

// Scenario returns a scenario document; the resources it names exist.
func (sn *Snapshot) Scenario(name string) (*Scenario, error) {
	doc, err := sn.document("scenarios/"+name+".yaml", func(file string, node *yaml.Node) (any, error) {
		var sc Scenario
		pos, err := decodeNode(file, node, &sc)
		if err != nil {
			return nil, err
		}
		sn.setPositions(file, pos)
		return &sc, withLine(normalizeScenario(sn.tiers, file, name, &sc, sn.resources), pos)
	}, "scenario", name, sn.scenarios)
	if err != nil {
		return nil, err
	}
	return doc.(*Scenario), nil
}

// document decodes a document once per snapshot.
func (sn *Snapshot) document(file string, decode func(string, *yaml.Node) (any, error), kind, name string, known []string) (any, error) {
	if !validName(name) {
		return nil, &NotFoundError{Kind: kind, Name: name, Known: known}
	}
	sn.mu.Lock()
	r, ok := sn.docs[file]
	if !ok {
		r = &docResult{}
		sn.docs[file] = r
	}
	sn.mu.Unlock()
	r.once.Do(func() {
		node, err := sn.plaintext(file)
		if errors.Is(err, fs.ErrNotExist) {
			r.err = &NotFoundError{Kind: kind, Name: name, Known: known, Hint: sn.uncommittedHint(file)}
			return
		}
		if err != nil {
			r.err = err
			return
		}
		r.doc, r.err = decode(file, node)
	})
	return r.doc, r.err
}

// uncommittedHint names a document missing from a revision that is in the
// work tree, not committed; "" otherwise.
func (sn *Snapshot) uncommittedHint(file string) string {
	if sn.Revision == WorktreeRevision {
		return ""
	}
	if _, err := os.Stat(filepath.Join(sn.store.dir, filepath.FromSlash(file))); err != nil {
		return ""
	}
	return file + " is in the work tree but not committed at " + shortRev(sn.Revision) +
		"; commit it, or pass --worktree to read the files on disk"
}

func shortRev(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// validName keeps document names from escaping their folder.
func validName(name string) bool {
	if name == "" || name[0] == '.' {
		return false
	}
	for _, c := range name {
		if c == '/' || c == '\\' || c == 0 {
			return false
		}
	}
	return true
}

// plaintext returns a document decrypted and verified, or, when allowed and
// no key can verify it, its cleartext marked unverified. The node is shared
// through the store's cache and must not be modified.
func (sn *Snapshot) plaintext(file string) (*yaml.Node, error) {
	return sn.plaintextIn(sn.src, file)
}

// plaintextIn is plaintext for a file of src (the policy revision's, or
// the ledger's).
func (sn *Snapshot) plaintextIn(src source, file string) (*yaml.Node, error) {
	data, err := src.read(file)
	if err != nil {
		return nil, err
	}
	id := src.blobID(file)
	if id != "" {
		if p, ok := sn.store.plain.Load(id); ok {
			return sn.verified(file, p.(verifiedDoc)), nil
		}
	}
	// Decrypting parses the file once. Success means it is a SOPS document;
	// only a failure asks whether it is one at all (a second parse).
	doc, info, err := sopsfile.DecryptNodeInfo(data, sn.store.keys)
	if err != nil && !sopsfile.IsEncrypted(data) {
		doc, err := parseYAML(file, data)
		if err != nil {
			return nil, err // malformed YAML is a document error whatever the keys
		}
		if !sn.allowUnverified || sn.store.HasKey() {
			return nil, &IntegrityError{File: file, Plaintext: true,
				Reason: "not SOPS-encrypted (every store document carries a SOPS MAC and a seal): seal it with `secretsctl seal " + file + "`"}
		}
		sn.markUnverified(file)
		return doc, nil
	}
	var ie *sopsfile.IntegrityError
	var fe *sopsfile.FormatError
	switch {
	case err == nil && info.MACOnlyEncrypted && !info.Sealed:
		return nil, &IntegrityError{File: file, Reason: "mac_only_encrypted is set and the document is not sealed: its clear metadata is not authenticated (re-encrypt it without mac_only_encrypted, or run `secretsctl seal`)"}
	case err == nil:
		v := verifiedDoc{node: doc, sealed: info.Sealed}
		if id != "" {
			sn.store.plain.Store(id, v)
		}
		return sn.verified(file, v), nil
	case errors.As(err, &ie):
		return nil, &IntegrityError{File: file, Reason: ie.Reason}
	case errors.As(err, &fe):
		return nil, &DocumentError{File: file, Reason: fe.Error()}
	case errors.Is(err, sopsfile.ErrNoKey):
		if !sn.allowUnverified {
			return nil, &KeyError{File: file, Err: err}
		}
		clear, cerr := sopsfile.CleartextNode(data)
		if cerr != nil {
			return nil, &DocumentError{File: file, Reason: cerr.Error()}
		}
		sn.markUnverified(file)
		sn.noteNoKey(file, err)
		return clear, nil
	default:
		return nil, fmt.Errorf("decrypt %s: %w", file, err)
	}
}

// verified notes whether a verified document is sealed and returns it.
func (sn *Snapshot) verified(file string, v verifiedDoc) *yaml.Node {
	if !v.sealed {
		sn.mu.Lock()
		sn.unsealed[file] = true
		sn.mu.Unlock()
	}
	return v.node
}

func (sn *Snapshot) markUnverified(file string) {
	sn.mu.Lock()
	sn.unverified[file] = true
	sn.mu.Unlock()
}

func (sn *Snapshot) setPositions(file string, pos positions) {
	sn.mu.Lock()
	sn.lines[file] = pos
	sn.mu.Unlock()
}

// Line returns the 1-based line of a field (a path such as
// "secrets[2].strategies" or "overrides.n8n/N8N_PASSWORD") in a document
// read so far, or 0 when it is not known. Tier keys are matched as written
// in the file.
func (sn *Snapshot) Line(file, field string) int {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	return sn.lines[file][fieldPointer(field)].line
}

// noKeyNote is why no key opened a document.
type noKeyNote struct {
	reason  string
	partial bool // some of its key groups opened, not enough
}

// noteNoKey keeps why no key opened file: which master keys failed, and
// for a document with several key groups, which groups opened.
func (sn *Snapshot) noteNoKey(file string, err error) {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.noKey == nil {
		sn.noKey = map[string]noKeyNote{}
	}
	sn.noKey[file] = noKeyNote{reason: err.Error(), partial: sopsfile.SomeGroupsOpened(err)}
}

// NoKeyReason says why no loaded key could open an unverified document
// (which keys failed; with several key groups, which opened), or "", and
// whether the keys at hand opened some of its key groups but not enough.
func (sn *Snapshot) NoKeyReason(file string) (reason string, someGroupsOpened bool) {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	n := sn.noKey[file]
	return n.reason, n.partial
}

// UnverifiedFiles lists the documents read so far without MAC verification,
// sorted.
func (sn *Snapshot) UnverifiedFiles() []string {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	return sortedKeys(sn.unverified)
}

// UnsealedFiles lists the verified documents read so far whose key names
// and structure are not covered by a secretsctl seal (last written by
// another tool, such as `sops edit`), sorted.
func (sn *Snapshot) UnsealedFiles() []string {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	return sortedKeys(sn.unsealed)
}

// IntegrityOf is [IntegrityVerified] when every one of the given documents
// was read with its MAC verified, else [IntegrityUnverified].
func (sn *Snapshot) IntegrityOf(files ...string) string {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	for _, f := range files {
		if sn.unverified[f] {
			return IntegrityUnverified
		}
	}
	return IntegrityVerified
}

// Integrity is [IntegrityVerified] when every document read so far had its
// MAC verified, else [IntegrityUnverified].
func (sn *Snapshot) Integrity() string {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if len(sn.unverified) > 0 {
		return IntegrityUnverified
	}
	return IntegrityVerified
}

// LoadAll decodes every resource and scenario, using every CPU, and returns
// all the errors found (joined), not just the first.
func (sn *Snapshot) LoadAll(ctx context.Context) error {
	type job struct {
		kind string
		name string
	}
	jobs := make(chan job)
	errs := make([]error, 0)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				err := sn.loadSafely(j.kind, j.name)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	send := func(kind string, names []string) bool {
		for _, n := range names {
			select {
			case jobs <- job{kind, n}:
			case <-ctx.Done():
				return false
			}
		}
		return true
	}
	if send("resource", sn.resources) {
		send("scenario", sn.scenarios)
	}
	close(jobs)
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	sortErrors(errs)
	return errors.Join(errs...)
}

// Files lists every file under a store-relative directory, recursively,
// sorted (for plain files such as recorded plans).
func (sn *Snapshot) Files(dir string) ([]string, error) { return sn.src.walk(dir) }

// ReadFile returns a file of the snapshot as it is stored, without
// decrypting it (for files that are not encrypted, such as recorded plans).
func (sn *Snapshot) ReadFile(rel string) ([]byte, error) { return sn.src.read(rel) }

// loadSafely decodes one document, turning a panic into an error so that it
// reaches the caller instead of killing the process from a worker.
func (sn *Snapshot) loadSafely(kind, name string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error reading %s %s: %v", kind, name, r)
		}
	}()
	if kind == "resource" {
		_, err = sn.Resource(name)
	} else {
		_, err = sn.Scenario(name)
	}
	return err
}
