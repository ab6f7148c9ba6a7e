package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/secretsctl/secretsctl/internal/gaps"
	"github.com/secretsctl/secretsctl/internal/plan"
)

type gapsOptions struct {
	storeOptions
	Scenario  string
	Tier      string
	Format    string
	Post      string
	TokenFile string
}

func newGapsCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "gaps",
		Usage: "one task per secret without a strategy on a tier a scenario ships to",
		Description: `Lists, as JSON an issue tracker can ingest, one task per secret whose strategy
is unspecified on a tier a scenario ships to: title, body (what is missing,
where to add it, an example), labels, scenario, tier, secret id, and a stable
dedup key. --post sends each task as a JSON POST (dedup key also in the
Idempotency-Key header), retrying 5xx answers and network errors, and stops
with an error on a 4xx.

Examples:
   secretsctl gaps
   secretsctl gaps --format text
   secretsctl gaps --post http://127.0.0.1:8090/api/v1/issues --token-file ~/.tracker-token` + exitCodeHelp,
		Flags: append(reviewFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "only this scenario"},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "only this tier (id or alias)"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "json", Usage: "output format: json or text"},
			&ucli.StringFlag{Name: "post", Usage: "POST each task to this http(s) URL"},
			&ucli.StringFlag{Name: "token-file", Usage: "file holding a bearer token for --post"},
		),
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usagef("gaps takes no arguments (got %q)", c.Args().First())
			}
			return runGaps(c.Context, gapsOptions{storeOptions: reviewOptions(c), Scenario: c.String("scenario"),
				Tier: c.String("tier"), Format: c.String("format"), Post: c.String("post"), TokenFile: c.String("token-file")}, e)
		},
	}
}

func runGaps(ctx context.Context, opts gapsOptions, e *env) error {
	if !slices.Contains([]string{"json", "text"}, opts.Format) {
		return usagef("unknown --format %q: want json or text", opts.Format)
	}
	poster, err := newPoster(opts, e)
	if err != nil {
		return err
	}
	_, sn, err := opts.open(e)
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
	if poster != nil {
		n, err := poster.Post(ctx, tasks)
		if err != nil {
			return fmt.Errorf("%d of %d tasks posted: %w", n, len(tasks), err)
		}
		fmt.Fprintf(e.stdout, "posted %d tasks to %s\n", n, poster.URL)
		return nil
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

func newPoster(opts gapsOptions, e *env) (*gaps.Poster, error) {
	if opts.Post == "" {
		if opts.TokenFile != "" {
			return nil, usagef("--token-file needs --post")
		}
		return nil, nil
	}
	u, err := url.Parse(opts.Post)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--post %q: want an http or https URL", opts.Post)
	}
	p := &gaps.Poster{Client: &http.Client{Timeout: 30 * time.Second}, URL: opts.Post, Retries: 4, Backoff: 500 * time.Millisecond}
	if opts.TokenFile != "" {
		tok, err := os.ReadFile(resolvePath(e, opts.TokenFile))
		if err != nil {
			return nil, usagef("--token-file: %v", err)
		}
		p.Token = strings.TrimSpace(string(tok))
	}
	return p, nil
}
