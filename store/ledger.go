package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"time"

	"github.com/secretsctl/secretsctl/store/internal/gitrepo"
	"gopkg.in/yaml.v3"
)

// The issuance ledger (docs/store-format.md §11): one SOPS-encrypted file per
// event under deployments/<scenario>/<deployment>/, never modified, on a
// branch of its own (ledgerbranch.go).
const (
	// LedgerDir is the folder of the ledger.
	LedgerDir = "deployments"
	// FingerprintKeyFile holds the key of the ledger's keyed fingerprints.
	FingerprintKeyFile = LedgerDir + "/fingerprint-key.yaml"
	// LedgerEventKind is the kind field of a ledger event.
	LedgerEventKind = "ledger-event"
)

// Ledger event actions.
const (
	EventIssue  = "issue"
	EventRotate = "rotate"
	EventRevoke = "revoke"
)

// Statuses of an issued value.
const (
	StatusActive     = "active"
	StatusPrevious   = "previous"
	StatusSuperseded = "superseded"
	StatusRevoked    = "revoked"
)

// LedgerEvent is one file of the ledger: what one issue, rotate or revoke
// did to one deployment.
type LedgerEvent struct {
	Version int    `json:"version" jsonschema:"enum=1"`
	Kind    string `json:"kind" jsonschema:"enum=ledger-event"`
	// Event is the action: issue, rotate or revoke.
	Event      string `json:"event" jsonschema:"enum=issue,enum=rotate,enum=revoke"`
	Scenario   string `json:"scenario" jsonschema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	Deployment string `json:"deployment" jsonschema:"pattern=^[a-z0-9][a-z0-9._-]*$"`
	// Tier is the canonical tier id the deployment was issued for.
	Tier string `json:"tier"`
	// PlanRevision is the commit whose plan the event followed.
	PlanRevision string `json:"plan_revision"`
	// Time is when the event was recorded, UTC.
	Time time.Time `json:"time"`
	// Reason explains a revocation.
	Reason string `json:"reason,omitempty"`
	// Secrets are the values the event concerns.
	Secrets []LedgerEntry `json:"secrets"`
}

// LedgerEntry is one value in a ledger event.
type LedgerEntry struct {
	SecretID  string     `json:"secret_id"`
	Generator *Generator `json:"generator,omitempty"`
	// Fingerprint is "hmac-sha256:<hex>", keyed with the store's
	// fingerprint key; never a bare hash of the value.
	Fingerprint string `json:"fingerprint" jsonschema:"pattern=^hmac-sha256:[0-9a-f]{64}$"`
	// Status is the status the event gives the value: active (a new value),
	// previous (replaced by a rotation) or revoked.
	Status string `json:"status" jsonschema:"enum=active,enum=previous,enum=revoked"`
	// Value is the value itself; the creation rules encrypt it. Only
	// entries that introduce a value carry one.
	Value SecretValue `json:"value,omitempty"`
}

// SecretValue is a secret value. It prints as [redacted]; only its JSON and
// YAML encodings (which the store encrypts) carry it.
type SecretValue string

// String returns "[redacted]".
func (SecretValue) String() string { return "[redacted]" }

// GoString returns "[redacted]".
func (SecretValue) GoString() string { return "[redacted]" }

// LedgerFile names one event file of the ledger.
type LedgerFile struct {
	Scenario, Deployment string
	// Path is store-relative: deployments/<scenario>/<deployment>/<name>.yaml.
	Path string
}

// LedgerPath is the folder of a deployment's events.
func LedgerPath(scenario, deployment string) string {
	return LedgerDir + "/" + scenario + "/" + deployment
}

// ValidLedgerName reports whether a scenario or deployment id can name a
// ledger folder: ^[a-z0-9][a-z0-9._-]*$, at most 128 characters, so it can
// never escape deployments/.
func ValidLedgerName(name string) bool {
	if name == "" || len(name) > 128 || strings.Contains(name, "..") {
		return false
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return false
		}
	}
	return true
}

// LedgerFiles lists every event file of the ledger, sorted by scenario,
// deployment and name (which is event order within a deployment).
func (sn *Snapshot) LedgerFiles() ([]LedgerFile, error) {
	src, err := sn.ledgerSource()
	if err != nil {
		return nil, err
	}
	paths, err := src.walk(LedgerDir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", LedgerDir, err)
	}
	var out []LedgerFile
	for _, p := range paths {
		parts := strings.Split(p, "/")
		if len(parts) != 4 || !strings.HasSuffix(parts[3], ".yaml") || strings.HasPrefix(parts[3], ".") {
			continue
		}
		out = append(out, LedgerFile{Scenario: parts[1], Deployment: parts[2], Path: p})
	}
	return out, nil
}

// DeploymentFiles lists the event files of one deployment, in event order.
func (sn *Snapshot) DeploymentFiles(scenario, deployment string) ([]LedgerFile, error) {
	if !ValidLedgerName(scenario) || !ValidLedgerName(deployment) {
		return nil, &NotFoundError{Kind: "deployment", Name: scenario + "/" + deployment}
	}
	src, err := sn.ledgerSource()
	if err != nil {
		return nil, err
	}
	names, err := src.list(LedgerPath(scenario, deployment))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list %s: %w", LedgerPath(scenario, deployment), err)
	}
	var out []LedgerFile
	for _, n := range names {
		if strings.HasSuffix(n, ".yaml") && !strings.HasPrefix(n, ".") {
			out = append(out, LedgerFile{Scenario: scenario, Deployment: deployment, Path: LedgerPath(scenario, deployment) + "/" + n})
		}
	}
	return out, nil
}

// LedgerEvent reads an event decrypted and verified (values included),
// which needs the private key, or with the snapshot's AllowUnverified and no
// key, its clear metadata only.
func (sn *Snapshot) LedgerEvent(f LedgerFile) (*LedgerEvent, error) {
	src, err := sn.ledgerSource()
	if err != nil {
		return nil, err
	}
	node, err := sn.plaintextIn(src, f.Path)
	if err != nil {
		return nil, err
	}
	var ev LedgerEvent
	if _, err := decodeNode(f.Path, node, &ev); err != nil {
		return nil, err
	}
	if sn.IntegrityOf(f.Path) == IntegrityUnverified {
		for i := range ev.Secrets {
			ev.Secrets[i].Value = ""
		}
	}
	return &ev, checkEvent(f, &ev)
}

// LedgerEventMetadata reads the clear part of an event (no value, and no
// generator: a keyless reader has no use for one) without decrypting or
// verifying it: fast, keyless, and unverified. Audits use it.
func (sn *Snapshot) LedgerEventMetadata(f LedgerFile) (*LedgerEvent, error) {
	src, err := sn.ledgerSource()
	if err != nil {
		return nil, err
	}
	data, err := src.read(f.Path)
	if err != nil {
		return nil, err
	}
	return eventMetadata(f, data)
}

// eventMetadata parses the clear part of an event file's content.
func eventMetadata(f LedgerFile, data []byte) (*LedgerEvent, error) {
	if ev, ok := scanEventMetadata(data); ok {
		return ev, checkEvent(f, ev)
	}
	ev, err := yamlEventMetadata(data)
	if err != nil {
		return nil, &DocumentError{File: f.Path, Reason: "malformed ledger event: " + err.Error()}
	}
	return ev, checkEvent(f, ev)
}

// LedgerEventsMetadata is [Snapshot.LedgerEventMetadata] for many files,
// in their order. From a commit it reads the files on every core (see
// gitrepo's ReadFilesApart): an audit over a long ledger reads thousands.
func (sn *Snapshot) LedgerEventsMetadata(files []LedgerFile) ([]*LedgerEvent, error) {
	src, err := sn.ledgerSource()
	if err != nil {
		return nil, err
	}
	out := make([]*LedgerEvent, len(files))
	ts, ok := src.(treeSource)
	if !ok || len(files) < parallelReadMin {
		for i, f := range files {
			if out[i], err = sn.LedgerEventMetadata(f); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = ts.s.repoPath(f.Path)
	}
	err = ts.tree.ReadFilesApart(names, runtime.GOMAXPROCS(0), func(i int, data []byte) error {
		ev, err := eventMetadata(files[i], data)
		out[i] = ev
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// parallelReadMin is the number of files below which reading them on
// several cores costs more (a pack index per core) than it saves.
var parallelReadMin = 256

// yamlEventMetadata reads what scanEventMetadata reads, with a YAML parser.
func yamlEventMetadata(data []byte) (*LedgerEvent, error) {
	var doc struct {
		Version      int       `yaml:"version"`
		Kind         string    `yaml:"kind"`
		Event        string    `yaml:"event"`
		Scenario     string    `yaml:"scenario"`
		Deployment   string    `yaml:"deployment"`
		Tier         string    `yaml:"tier"`
		PlanRevision string    `yaml:"plan_revision"`
		Time         time.Time `yaml:"time"`
		Reason       string    `yaml:"reason"`
		Secrets      []struct {
			SecretID    string `yaml:"secret_id"`
			Fingerprint string `yaml:"fingerprint"`
			Status      string `yaml:"status"`
		} `yaml:"secrets"`
	}
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, err
	}
	ev := &LedgerEvent{Version: doc.Version, Kind: doc.Kind, Event: doc.Event, Scenario: doc.Scenario,
		Deployment: doc.Deployment, Tier: doc.Tier, PlanRevision: doc.PlanRevision, Time: doc.Time.UTC(), Reason: doc.Reason}
	for _, s := range doc.Secrets {
		ev.Secrets = append(ev.Secrets, LedgerEntry{SecretID: s.SecretID, Fingerprint: s.Fingerprint, Status: s.Status})
	}
	return ev, nil
}

// checkEvent makes sure an event belongs where it is filed.
func checkEvent(f LedgerFile, ev *LedgerEvent) error {
	if ev.Kind != LedgerEventKind || ev.Scenario != f.Scenario || ev.Deployment != f.Deployment {
		return &DocumentError{File: f.Path, Reason: fmt.Sprintf("not a ledger event of %s/%s (kind %q, scenario %q, deployment %q)",
			f.Scenario, f.Deployment, ev.Kind, ev.Scenario, ev.Deployment)}
	}
	return nil
}

// fingerprintKeyDoc is deployments/fingerprint-key.yaml.
type fingerprintKeyDoc struct {
	Version int    `yaml:"version" json:"version"`
	Kind    string `yaml:"kind" json:"kind"`
	Value   string `yaml:"value" json:"value"`
}

// FingerprintKeyDocument is the document that stores a new fingerprint key
// (hex encoded), for a [Change]'s Documents.
func FingerprintKeyDocument(hexKey string) any {
	return fingerprintKeyDoc{Version: DocumentVersion, Kind: "fingerprint-key", Value: hexKey}
}

// FingerprintKey returns the hex-encoded fingerprint key stored in the
// snapshot, decrypted and verified (it needs the private key). It wraps
// [ErrNotFound] when the store has none yet.
func (sn *Snapshot) FingerprintKey() (string, error) {
	src, err := sn.ledgerSource()
	if err != nil {
		return "", err
	}
	if _, err := src.read(FingerprintKeyFile); errors.Is(err, fs.ErrNotExist) {
		return "", &NotFoundError{Kind: "fingerprint key", Name: FingerprintKeyFile}
	}
	node, err := sn.plaintextIn(src, FingerprintKeyFile)
	if err != nil {
		return "", err
	}
	if sn.IntegrityOf(FingerprintKeyFile) == IntegrityUnverified {
		return "", &KeyError{File: FingerprintKeyFile, Err: ErrNoKey}
	}
	var doc fingerprintKeyDoc
	if err := node.Decode(&doc); err != nil || doc.Kind != "fingerprint-key" || doc.Value == "" {
		return "", &DocumentError{File: FingerprintKeyFile, Field: "value", Reason: "not a fingerprint key document"}
	}
	return doc.Value, nil
}

// LedgerCommit is a commit that added a ledger event, as git history
// records it.
type LedgerCommit struct {
	Hash       string
	Author     string
	Email      string
	Time       time.Time
	Action     string
	Scenario   string
	Deployment string
	Event      string // the store-relative event file
	Subject    string
}

// LedgerHistory returns the ledger commits reachable from the ledger's
// commit (which, after `ledger migrate`, reaches the commits that added
// events on the policy branch before), keyed by the event file each one added (from the
// Secretsctl-Event trailer). It reads commit objects only, through a git
// storage of its own, so it can run while other goroutines read the
// snapshot (an audit reads the events meanwhile).
func (sn *Snapshot) LedgerHistory() (map[string]LedgerCommit, error) {
	rev, err := sn.LedgerRevision()
	if err != nil {
		return nil, err
	}
	if rev == WorktreeRevision {
		return nil, fmt.Errorf("ledger history needs a revision, not the work tree")
	}
	out := map[string]LedgerCommit{}
	if rev == "" {
		return out, nil
	}
	err = sn.store.repo.WalkApart(gitrepo.Commit{Hash: rev}, func(c gitrepo.Commit, trailers []gitrepo.Trailer) error {
		lc := LedgerCommit{Hash: c.Hash, Author: c.Author, Email: c.Email, Time: c.Time.UTC(), Subject: c.Subject}
		for _, t := range trailers {
			switch t.Key {
			case TrailerAction:
				lc.Action = t.Value
			case TrailerScenario:
				lc.Scenario = t.Value
			case TrailerDeployment:
				lc.Deployment = t.Value
			case TrailerEvent:
				lc.Event = path.Clean(t.Value)
			}
		}
		if lc.Event != "" {
			if _, seen := out[lc.Event]; !seen {
				out[lc.Event] = lc
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read ledger history: %w", err)
	}
	return out, nil
}
