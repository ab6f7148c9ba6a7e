package cli

import (
	"context"
	"fmt"
	"slices"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/gaps"
	"github.com/secretsctl/secretsctl/internal/plan"
)

type gapsOptions struct {
	storeOptions
	Scenario      string
	Tier          string
	Format        string
	Post          string
	PostFormat    string
	CloseResolved bool
	TokenFile     string
}

func newGapsCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "gaps",
		Usage: "one task per secret without a strategy on a tier a scenario ships to",
		Description: `Lists, as JSON an issue tracker can ingest, one task per secret whose strategy
is unspecified on a tier a scenario ships to: title, body (what is missing,
where to add it, an example), labels, scenario, tier, secret id, and a stable
dedup key.

--post URL files the tasks into Vrooli's app-issue-tracker (URL is its base
URL or its /api/v1/issues endpoint): it first reads the tracker's issues and
files one issue per gap that has none open yet (the dedup key is kept in the
issue's metadata_extra as secretsctl_gap_key), so re-running on an unchanged
store creates nothing. Each issue is a task, high priority on a tier that
ships to end users and medium otherwise, targeting the scenario and the
resource, tagged and labelled with tier, classification and secret id, with
the document to edit in affected_files. --close-resolved also moves the
issues whose gap is gone to the tracker's resolved status, noting the store
commit that fixed them.

--post-format json instead POSTs each task's JSON to URL as is (dedup key in
the Idempotency-Key header), for receivers that deduplicate by that header.

Either way --token-file is sent as a bearer token; 5xx answers and network
errors are retried with backoff, a 4xx is reported with the server's message
and not retried, and the exit code is 0 only when every gap has an issue.

Examples:
   secretsctl gaps
   secretsctl gaps --format text
   secretsctl gaps --post http://127.0.0.1:8090 --token-file ~/.tracker-token --close-resolved
   secretsctl gaps --post https://hooks.example.com/gaps --post-format json` + exitCodeHelp,
		Flags: append(reviewFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "only this scenario"},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "only this tier (id or alias)"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "json", Usage: "output format: json or text"},
			&ucli.StringFlag{Name: "post", Usage: "file the tasks into the app-issue-tracker at this http(s) URL"},
			&ucli.StringFlag{Name: "post-format", Value: "tracker", Usage: "what --post speaks: tracker (Vrooli's app-issue-tracker) or json (one POST per task)"},
			&ucli.BoolFlag{Name: "close-resolved", Usage: "with --post: resolve the tracker issues whose gap is gone"},
			&ucli.StringFlag{Name: "token-file", Usage: "file holding a bearer token for --post"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("gaps takes no arguments (got %q)", c.Args().First())
			}
			return runGaps(ctx, gapsOptions{storeOptions: reviewOptions(c), Scenario: c.String("scenario"),
				Tier: c.String("tier"), Format: c.String("format"), Post: c.String("post"), PostFormat: c.String("post-format"),
				CloseResolved: c.Bool("close-resolved"), TokenFile: c.String("token-file")}, e)
		},
	}
}

func runGaps(ctx context.Context, opts gapsOptions, e *env) error {
	if !slices.Contains([]string{"json", "text"}, opts.Format) {
		return usagef("unknown --format %q: want json or text", opts.Format)
	}
	dest, err := newGapsDestination(opts, e)
	if err != nil {
		return err
	}
	if opts.CloseResolved && opts.Scenario+opts.Tier != "" {
		return usagef("--close-resolved needs every gap: drop --scenario and --tier")
	}
	st, sn, err := opts.open(e)
	if err != nil {
		return err
	}
	pairs, err := plan.Pairs(ctx, sn, opts.Scenario, opts.Tier)
	if err != nil {
		return err
	}
	tasks, err := gaps.Find(ctx, sn, pairs)
	if err != nil {
		return err
	}
	if dest != nil {
		return dest.send(ctx, tasks, gaps.SyncOptions{Revision: sn.Revision, RepoDir: st.RepoDir()}, e)
	}
	if opts.Format == "json" {
		return writeJSON(e, tasks)
	}
	for _, t := range tasks {
		fmt.Fprintf(e.stdout, "%s  %s\n", t.DedupKey, t.Title)
	}
	fmt.Fprintf(e.stdout, "%d gaps\n", len(tasks))
	return nil
}
