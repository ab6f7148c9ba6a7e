package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	proposal "github.com/secretsctl/secretsctl/internal/suggest"
	"github.com/secretsctl/secretsctl/store"
)

type suggestOptions struct {
	Store     string
	Format    string
	Write     bool
	Accept    []string
	AcceptAll bool
	Author    string
}

func newSuggestCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "suggest",
		Usage: "propose a classification and strategies for every gap, each with the rule that produced it",
		Description: `Lists a proposal for every gap of the store at HEAD: a classification for
each secret without one, and a strategy for each secret × tier a scenario
ships it to where nothing decides one. Each proposal names its rule:
declared/end-user-strategy (what the store already holds), resource/peers
(the classification the owner's other secrets share), name/... (the key,
type and owner: a data store's host, port, user or password is
infrastructure; a third-party API key is the user's; a JWT, session or
encryption key is the service's), fallback/infrastructure, and for
strategies the classification and the policy: infrastructure is stripped
(never anything else on a tier that ships to end users), service secrets
generated, user secrets prompted for.

--write writes every proposal into its document as one commit, each value
marked as a suggestion with its rule (classification_suggested on the
secret, suggested on the strategy). Plans show a marked strategy as
strategy_source suggested and lint warns about every mark. Removing the
mark is the review: by hand with secretsctl edit, or with --accept ID
(a suggestion id as printed, or a secret id for all its marks; repeatable)
or --all, in one commit.

Examples:
   secretsctl suggest
   secretsctl suggest --format json
   secretsctl suggest --write
   secretsctl suggest --accept postgres/POSTGRES_PASSWORD
   secretsctl suggest --accept 'twilio/TWILIO_AUTH_TOKEN@tier-2-desktop' --accept n8n/N8N_JWT_SECRET#classification
   secretsctl suggest --all` + exitCodeHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "table", Usage: "output format: table or json"},
			&ucli.BoolFlag{Name: "write", Usage: "write the proposals into the documents, marked, as one commit"},
			&ucli.StringSliceFlag{Name: "accept", Usage: "remove the mark of this suggestion id or of every suggestion of this secret id (repeatable)"},
			&ucli.BoolFlag{Name: "all", Usage: "remove every suggestion mark"},
			&ucli.StringFlag{Name: "author", Usage: `commit author as "Name <email>" (default: git config)`},
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("suggest takes no arguments (got %q)", c.Args().First())
			}
			opts := suggestOptions{Store: storeFlagValue(c), Format: c.String("format"), Write: c.Bool("write"),
				Accept: c.StringSlice("accept"), AcceptAll: c.Bool("all"), Author: c.String("author")}
			return runSuggest(ctx, opts, e)
		},
	}
}

func runSuggest(ctx context.Context, opts suggestOptions, e *env) error {
	if !slices.Contains([]string{"table", "json"}, opts.Format) {
		return usagef("unknown --format %q: want table, json", opts.Format)
	}
	accepting := opts.AcceptAll || len(opts.Accept) > 0
	if accepting && opts.Write {
		return usagef("--write and --accept/--all cannot be combined: review what was written first")
	}
	if opts.AcceptAll && len(opts.Accept) > 0 {
		return usagef("--all accepts every suggestion: give it without --accept")
	}
	author, err := parseAuthor(opts.Author)
	if err != nil {
		return err
	}
	st, sn, err := storeOptions{Store: opts.Store}.open(e)
	if err != nil {
		return err
	}
	if accepting {
		return acceptSuggestions(ctx, e, st, sn, opts, author)
	}
	rep, err := proposal.Propose(ctx, sn)
	if err != nil {
		return err
	}
	if err := printProposals(e, opts.Format, rep); err != nil || !opts.Write {
		return err
	}
	return writeSuggestions(ctx, e, st, sn, rep, author)
}

func writeSuggestions(ctx context.Context, e *env, st *store.Store, sn *store.Snapshot, rep *proposal.Report, author store.Author) error {
	if len(rep.Proposals) == 0 {
		fmt.Fprintln(e.stderr, "secretsctl: nothing to suggest: every secret is classified and every shipped tier has a strategy")
		return nil
	}
	docs, err := proposal.Apply(sn, rep.Proposals)
	if err != nil {
		return err
	}
	subject := fmt.Sprintf("suggest: %s in %s, to review", countNoun(len(rep.Proposals), "proposal"), countNoun(len(docs), "document"))
	return commitSuggestions(ctx, e, st, sn, docs, subject, author)
}

func acceptSuggestions(ctx context.Context, e *env, st *store.Store, sn *store.Snapshot, opts suggestOptions, author store.Author) error {
	docs, marks, err := proposal.Accept(sn, opts.Accept)
	if err != nil {
		return err
	}
	if len(marks) == 0 {
		fmt.Fprintln(e.stderr, "secretsctl: no unreviewed suggestion to accept")
		return nil
	}
	if opts.Format == "json" {
		if err := writeJSON(e, map[string]any{"revision": sn.Revision, "accepted": marks}); err != nil {
			return err
		}
	} else {
		for _, m := range marks {
			fmt.Fprintf(e.stdout, "accepted %s (%s)\n", m.ID, m.Rule)
		}
	}
	subject := fmt.Sprintf("suggest: accept %d reviewed suggestions", len(marks))
	return commitSuggestions(ctx, e, st, sn, docs, subject, author)
}

func commitSuggestions(ctx context.Context, e *env, st *store.Store, sn *store.Snapshot, docs proposal.Documents, subject string, author store.Author) error {
	c, ok, err := st.Commit(ctx, store.Change{Documents: docs, Parent: sn.Revision, Author: author,
		Message: store.Message{Subject: subject, Action: "suggest"}})
	if err != nil {
		return err
	}
	if ok {
		fmt.Fprintf(e.stderr, "secretsctl: %s\nsecretsctl: commit %s\n", subject, c.Hash)
	}
	return nil
}

func printProposals(e *env, format string, rep *proposal.Report) error {
	if format == "json" {
		return writeJSON(e, rep)
	}
	return proposalTable(e.stdout, rep)
}

func proposalTable(w io.Writer, rep *proposal.Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVALUE\tRULE\tBECAUSE")
	for _, p := range rep.Proposals {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.ID, proposalValue(p), p.Rule, p.Because)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var by []string
	counts := rep.Counts()
	for _, rule := range rep.Rules() {
		by = append(by, fmt.Sprintf("%s %d", rule, counts[rule]))
	}
	_, err := fmt.Fprintf(w, "\n%s", countNoun(len(rep.Proposals), "proposal"))
	if len(by) > 0 {
		_, err = fmt.Fprintf(w, ": %s", strings.Join(by, ", "))
	}
	fmt.Fprintln(w)
	return err
}

func proposalValue(p proposal.Proposal) string {
	if p.Strategy == nil {
		return string(p.Classification)
	}
	v := string(p.Strategy.Strategy)
	switch {
	case p.Strategy.Generator != nil:
		v += " " + p.Strategy.Generator.Type + " at " + string(p.Strategy.At)
	case p.Strategy.Prompt != nil:
		v += fmt.Sprintf(" %q", p.Strategy.Prompt.Label)
	}
	return v
}
