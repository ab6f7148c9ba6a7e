package gaps

import (
	"context"
	"fmt"
	"slices"

	"github.com/secretsctl/secretsctl/store"
)

// resolvedNames are the status ids, most preferred first, that mean
// "resolved" in a tracker's own vocabulary (the app-issue-tracker's is
// "completed").
var resolvedNames = []string{"completed", "resolved", "closed", "done"}

// SyncOptions tune [Tracker.Sync].
type SyncOptions struct {
	// CloseResolved moves issues whose gap no longer exists to the
	// tracker's resolved status.
	CloseResolved bool
	// Revision is the store commit the gaps were computed at, named in the
	// note of a resolved issue ("worktree" for uncommitted files).
	Revision string
	// RepoDir is the store's directory in its repository, "" at the root.
	RepoDir string
}

// SyncReport says what a sync did. Failed holds one error per gap left
// without an issue or per issue that could not be resolved.
type SyncReport struct {
	Created  []string // ids of the issues filed
	Existing int      // gaps that already had an open issue
	Resolved []string // ids of the issues moved to the resolved status
	Failed   []error
}

// Sync files one issue per gap that has none open yet, reading the
// tracker's issues first, and with CloseResolved resolves the issues whose
// gap is gone. An error is returned only when the tracker cannot be read;
// per-gap failures are in the report.
func (t *Tracker) Sync(ctx context.Context, tasks []Task, opts SyncOptions) (SyncReport, error) {
	var rep SyncReport
	resolved, open, err := t.vocabulary(ctx)
	if err != nil {
		return rep, err
	}
	existing, err := t.filed(ctx, open)
	if err != nil {
		return rep, err
	}
	wanted := map[string]bool{}
	for _, task := range tasks {
		wanted[task.DedupKey] = true
		if len(existing[task.DedupKey]) > 0 {
			rep.Existing++
			continue
		}
		id, err := t.fileOnce(ctx, task, open, opts.RepoDir)
		if err != nil {
			rep.Failed = append(rep.Failed, fmt.Errorf("file %s (%s on %s, scenario %s): %w", task.DedupKey, task.SecretID, task.Tier, task.Scenario, err))
			continue
		}
		rep.Created = append(rep.Created, id)
		existing[task.DedupKey] = []Issue{{ID: id}}
	}
	if opts.CloseResolved {
		t.closeGone(ctx, existing, wanted, resolved, opts.Revision, &rep)
	}
	return rep, nil
}

// fileOnce files the issue of a gap, retrying like every call; but before
// a retry it looks for an issue with the gap's key, since a request whose
// answer was lost (a dropped connection, a 5xx from a proxy) may have been
// filed all the same.
func (t *Tracker) fileOnce(ctx context.Context, task Task, open []string, repoDir string) (string, error) {
	once := *t
	once.Retries = 0
	var id string
	err := retry(ctx, t.Retries, t.Backoff, func(n int) error {
		if n > 0 {
			if filed, err := t.filed(ctx, open); err == nil && len(filed[task.DedupKey]) > 0 {
				id = filed[task.DedupKey][0].ID
				return nil
			}
		}
		var err error
		id, err = once.Create(ctx, NewIssue(task, repoDir))
		return err
	})
	return id, err
}

// vocabulary reads the tracker's statuses: the one meaning resolved, and
// those an issue is still open in (all but resolved and archived).
func (t *Tracker) vocabulary(ctx context.Context) (resolved string, open []string, err error) {
	statuses, err := t.Statuses(ctx)
	if err != nil {
		return "", nil, err
	}
	for _, name := range resolvedNames {
		if slices.Contains(statuses, name) {
			resolved = name
			break
		}
	}
	if resolved == "" {
		return "", nil, fmt.Errorf("the tracker has no resolved status among %v (want one of %v)", statuses, resolvedNames)
	}
	for _, s := range statuses {
		if s != resolved && s != "archived" {
			open = append(open, s)
		}
	}
	return resolved, open, nil
}

// filed maps dedup keys to the open issues secretsctl filed for them.
func (t *Tracker) filed(ctx context.Context, statuses []string) (map[string][]Issue, error) {
	byKey := map[string][]Issue{}
	for _, status := range statuses {
		issues, err := t.List(ctx, status)
		if err != nil {
			return nil, err
		}
		for _, is := range issues {
			if key := is.Metadata.Extra[KeyField]; key != "" {
				byKey[key] = append(byKey[key], is)
			}
		}
	}
	return byKey, nil
}

// closeGone resolves every open issue whose gap is no longer found.
func (t *Tracker) closeGone(ctx context.Context, existing map[string][]Issue, wanted map[string]bool, status, revision string, rep *SyncReport) {
	keys := make([]string, 0, len(existing))
	for key := range existing {
		if !wanted[key] {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	for _, key := range keys {
		for _, is := range existing[key] {
			notes, commit := resolutionNote(is, revision)
			if err := t.Resolve(ctx, is.ID, status, notes, commit); err != nil {
				rep.Failed = append(rep.Failed, fmt.Errorf("resolve issue %s (%s): %w", is.ID, key, err))
				continue
			}
			rep.Resolved = append(rep.Resolved, is.ID)
		}
	}
}

// resolutionNote is the comment added to a resolved issue's notes, and the
// commit to record as its fix ("" for an uncommitted working tree).
func resolutionNote(is Issue, revision string) (notes, commit string) {
	what := "the missing strategy"
	if l := is.Metadata.Labels; l["secret_id"] != "" {
		what = fmt.Sprintf("the strategy of %s on %s (scenario %s)", l["secret_id"], l["tier"], l["scenario"])
	}
	note := fmt.Sprintf("Resolved by `secretsctl gaps --close-resolved`: %s is no longer missing at store commit %s.", what, revision)
	commit = revision
	if revision == "" || revision == store.WorktreeRevision {
		note = fmt.Sprintf("Resolved by `secretsctl gaps --close-resolved`: %s is no longer missing in the store's working tree (not yet committed).", what)
		commit = ""
	}
	if is.Notes != "" {
		note = is.Notes + "\n\n" + note
	}
	return note, commit
}
