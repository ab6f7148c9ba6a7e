package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/secretsctl/secretsctl/internal/gaps"
)

// postRetries and postBackoff are how --post retries 5xx answers and
// network errors: 4 more attempts, 0.5 s, 1 s, 2 s and 4 s apart.
var (
	postRetries = 4
	postBackoff = 500 * time.Millisecond
)

// gapsDestination is where --post sends the gaps: the app-issue-tracker, or
// a generic JSON receiver.
type gapsDestination struct {
	tracker       *gaps.Tracker
	poster        *gaps.Poster
	closeResolved bool
	url           string
}

func newGapsDestination(opts gapsOptions, e *env) (*gapsDestination, error) {
	if opts.Post == "" {
		switch {
		case opts.TokenFile != "":
			return nil, usagef("--token-file needs --post")
		case opts.CloseResolved:
			return nil, usagef("--close-resolved needs --post")
		}
		return nil, nil
	}
	u, err := url.Parse(opts.Post)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--post %q: want an http or https URL", opts.Post)
	}
	token, err := readToken(opts.TokenFile, e)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	d := &gapsDestination{closeResolved: opts.CloseResolved, url: opts.Post}
	switch opts.PostFormat {
	case "tracker", "":
		d.tracker = &gaps.Tracker{Client: client, Base: gaps.TrackerBase(opts.Post), Token: token, Retries: postRetries, Backoff: postBackoff}
	case "json":
		if opts.CloseResolved {
			return nil, usagef("--close-resolved needs --post-format tracker: a generic receiver has no issues to resolve")
		}
		d.poster = &gaps.Poster{Client: client, URL: opts.Post, Token: token, Retries: postRetries, Backoff: postBackoff}
	default:
		return nil, usagef("unknown --post-format %q: want tracker or json", opts.PostFormat)
	}
	return d, nil
}

func readToken(file string, e *env) (string, error) {
	if file == "" {
		return "", nil
	}
	tok, err := os.ReadFile(resolvePath(e, file))
	if err != nil {
		return "", usagef("--token-file: %v", err)
	}
	return strings.TrimSpace(string(tok)), nil
}

func (d *gapsDestination) send(ctx context.Context, tasks []gaps.Task, sync gaps.SyncOptions, e *env) error {
	if d.poster != nil {
		n, err := d.poster.Post(ctx, tasks)
		if err != nil {
			return fmt.Errorf("%d of %d tasks posted: %w", n, len(tasks), err)
		}
		fmt.Fprintf(e.stdout, "posted %d tasks to %s\n", n, d.url)
		return nil
	}
	sync.CloseResolved = d.closeResolved
	rep, err := d.tracker.Sync(ctx, tasks, sync)
	if err != nil {
		return fmt.Errorf("app-issue-tracker at %s: %w", d.tracker.Base, err)
	}
	for _, f := range rep.Failed {
		fmt.Fprintf(e.stderr, "secretsctl: %v\n", f)
	}
	printSync(e, rep, len(tasks), d)
	if len(rep.Failed) > 0 {
		return fmt.Errorf("%d of %d gaps have an issue in %s (%s above)", len(rep.Created)+rep.Existing, len(tasks), d.tracker.Base,
			plural(len(rep.Failed), "failure"))
	}
	return nil
}

func printSync(e *env, rep gaps.SyncReport, total int, d *gapsDestination) {
	switch {
	case total == 0:
		fmt.Fprintln(e.stdout, "no gaps: nothing to file")
	case total == 1 && rep.Existing == 1:
		fmt.Fprintf(e.stdout, "nothing to file: the 1 gap already has an open issue in %s\n", d.tracker.Base)
	case rep.Existing == total:
		fmt.Fprintf(e.stdout, "nothing to file: all %d gaps already have an open issue in %s\n", total, d.tracker.Base)
	default:
		fmt.Fprintf(e.stdout, "filed %s in %s (%s already had one)\n", plural(len(rep.Created), "new issue"), d.tracker.Base, plural(rep.Existing, "gap"))
	}
	for _, id := range rep.Created {
		fmt.Fprintf(e.stdout, "  created %s\n", id)
	}
	if d.closeResolved {
		fmt.Fprintf(e.stdout, "resolved %s whose gap is gone\n", plural(len(rep.Resolved), "issue"))
		for _, id := range rep.Resolved {
			fmt.Fprintf(e.stdout, "  resolved %s\n", id)
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
