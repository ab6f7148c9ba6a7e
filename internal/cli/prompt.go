package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/hooks/keystore"
	"github.com/secretsctl/secretsctl/hooks/prompt"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

type promptOptions struct {
	storeOptions
	Scenario    string
	Tier        string
	App         string
	Web         bool
	List        bool
	Forget      string
	Spec        bool
	Format      string
	Keystore    string
	KeystoreDir string
	Timeout     time.Duration
	// KeystorePassphrase encrypts the file fallback with a passphrase; nil
	// for the identity file.
	KeystorePassphrase func() ([]byte, error)
}

func newPromptCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "prompt",
		Usage: "ask the user for a scenario's user secrets and keep them in the OS keychain",
		Description: `Asks for every secret the manifest of --scenario on --tier marks as the
user's (strategy prompt), checks each answer against its validation pattern,
and stores it in the OS keychain (macOS Keychain, Windows Credential Manager,
Secret Service on Linux) under --app and the secret's stable id. Where no
keychain exists, an age-encrypted file in the user's config directory is
used instead; a keychain that exists but is locked or failing is an error.
That file is encrypted to an age identity kept next to it, which protects
no more than the file's permissions (0600), unless
SECRETSCTL_KEYSTORE_PASSPHRASE is set: it is then encrypted with that
passphrase (age scrypt) and no identity file is used, so a copy of the
directory (a backup, a stolen disk) does not reveal it.

On a terminal nothing typed is echoed and an invalid value is asked again;
when stdin is not a terminal one line is read per prompt (an empty line
skips an optional prompt or keeps a stored value). --web serves a one-time
form on 127.0.0.1 instead and prints its link. Values are never printed.

Examples:
   secretsctl prompt --scenario agent-inbox --tier desktop --app agent-inbox
   secretsctl prompt -s agent-inbox -t desktop --app agent-inbox --web
   secretsctl prompt -s agent-inbox -t desktop --spec      # the JSON prompt spec for a UI
   secretsctl prompt --app agent-inbox --list               # ids and where, never values
   secretsctl prompt --app agent-inbox --forget openrouter/OPENROUTER_API_KEY

An answer that fails validation (after the retries on a terminal) exits 2.` + exitCodeHelp,
		Flags: append(readFlags(),
			&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: "scenario name"},
			&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Usage: "tier id or alias (desktop, mobile, ...)"},
			&ucli.StringFlag{Name: "app", Usage: "the app the secrets belong to (names the keychain entries)"},
			&ucli.BoolFlag{Name: "web", Usage: "serve a one-time form on 127.0.0.1 instead of asking on the terminal"},
			&ucli.DurationFlag{Name: "timeout", Value: 10 * time.Minute, DefaultText: "10m", Usage: "how long the --web form waits"},
			&ucli.BoolFlag{Name: "list", Usage: "list the ids stored for --app and where (never values)"},
			&ucli.StringFlag{Name: "forget", Usage: "delete the stored secret with this id", Value: ""},
			&ucli.BoolFlag{Name: "spec", Usage: "print the prompt spec (JSON) of --scenario on --tier and ask nothing"},
			&ucli.StringFlag{Name: "format", Aliases: []string{"o"}, Value: "text", Usage: "output format: text or json"},
			&ucli.StringFlag{Name: "keystore", Value: keystore.BackendAuto, Usage: "auto (keychain, else the encrypted file), keychain or file"},
			&ucli.StringFlag{Name: "keystore-dir", Usage: "directory of the encrypted-file fallback", DefaultText: "the user's config dir/secretsctl/keystore"},
		),
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("prompt takes no arguments (got %q)", c.Args().First())
			}
			opts := promptOptions{storeOptions: readOptions(c), Scenario: c.String("scenario"), Tier: c.String("tier"),
				App: c.String("app"), Web: c.Bool("web"), List: c.Bool("list"), Forget: c.String("forget"),
				Spec: c.Bool("spec"), Format: c.String("format"), Keystore: c.String("keystore"),
				KeystoreDir: c.String("keystore-dir"), Timeout: c.Duration("timeout"), KeystorePassphrase: keystorePassphrase(e)}
			return runPrompt(ctx, opts, e)
		},
	}
}

func runPrompt(ctx context.Context, opts promptOptions, e *env) error {
	if !slices.Contains([]string{"text", "json"}, opts.Format) {
		return usagef("unknown --format %q: want text or json", opts.Format)
	}
	modes := 0
	for _, on := range []bool{opts.List, opts.Forget != "", opts.Spec} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return usagef("--list, --forget and --spec cannot be combined")
	}
	if opts.App == "" && !opts.Spec {
		return usagef("prompt needs --app (the app whose secrets these are)")
	}
	switch {
	case opts.List:
		return listStored(opts, e)
	case opts.Forget != "":
		return forgetStored(opts, e)
	}
	if opts.Scenario == "" || opts.Tier == "" {
		return usagef("prompt needs --scenario and --tier (or --list or --forget ID)")
	}
	spec, err := promptSpec(opts, e)
	if err != nil {
		return err
	}
	if opts.Spec {
		return writeJSON(e, spec)
	}
	if len(spec.Prompts) == 0 {
		fmt.Fprintf(e.stderr, "secretsctl: %s on %s asks the user for no secrets\n", spec.Scenario, spec.Tier)
		return nil
	}
	return askAndStore(ctx, spec, opts, e)
}

// promptSpec plans the scenario on the tier and collects its prompts.
func promptSpec(opts promptOptions, e *env) (*prompt.Spec, error) {
	_, sn, err := opts.open(e)
	if err != nil {
		return nil, err
	}
	m, err := plan.ForSnapshot(sn, opts.Scenario, opts.Tier)
	if err != nil {
		return nil, err
	}
	return prompt.FromManifest(m)
}

func openKeystore(opts promptOptions) (*keystore.Store, error) {
	return keystore.Open(opts.App, keystore.Options{Backend: opts.Keystore, Dir: opts.KeystoreDir, Passphrase: opts.KeystorePassphrase})
}

// askAndStore asks on the terminal or in the web form and stores each answer.
func askAndStore(ctx context.Context, spec *prompt.Spec, opts promptOptions, e *env) error {
	ks, err := openKeystore(opts)
	if err != nil {
		return err
	}
	stored, err := ks.List()
	if err != nil {
		return err
	}
	for i := range spec.Prompts {
		spec.Prompts[i].Stored = slices.Contains(stored, spec.Prompts[i].ID)
	}
	save := func(_ context.Context, a prompt.Answers) error {
		for _, f := range spec.Prompts {
			if v, ok := a[f.ID]; ok {
				if err := ks.Set(f.ID, []byte(v)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var answers prompt.Answers
	if opts.Web {
		answers, err = askWeb(ctx, spec, opts, save, e)
	} else {
		answers, err = prompt.Terminal{In: e.stdin, Out: e.stderr}.Ask(ctx, spec)
		if err == nil {
			err = save(ctx, answers)
		}
	}
	if err != nil {
		return err
	}
	return reportStored(spec, answers, ks, opts, e)
}

func askWeb(ctx context.Context, spec *prompt.Spec, opts promptOptions, save func(context.Context, prompt.Answers) error, e *env) (prompt.Answers, error) {
	form, err := prompt.ServeForm(ctx, spec, prompt.FormOptions{Title: "Secrets for " + opts.App, Timeout: opts.Timeout, Save: save})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.stderr, "secretsctl: open this one-time link in your browser (it works once, for %s):\n%s\n", opts.Timeout, form.URL())
	answers, err := form.Wait()
	if errors.Is(err, prompt.ErrExpired) {
		return nil, fmt.Errorf("the form was not submitted within %s; nothing was stored", opts.Timeout)
	}
	return answers, err
}

type storedEntry struct {
	ID       string `json:"id"`
	Backend  string `json:"backend"`
	Location string `json:"location"`
}

func reportStored(spec *prompt.Spec, answers prompt.Answers, ks *keystore.Store, opts promptOptions, e *env) error {
	var entries []storedEntry
	for _, f := range spec.Prompts {
		if _, ok := answers[f.ID]; ok {
			entries = append(entries, storedEntry{ID: f.ID, Backend: ks.Backend(), Location: ks.Location()})
		}
	}
	if opts.Format == "json" {
		return writeJSON(e, map[string]any{"app": opts.App, "stored": nonNil(entries)})
	}
	for _, s := range entries {
		fmt.Fprintf(e.stdout, "stored %s in %s (%s)\n", s.ID, s.Backend, s.Location)
	}
	if len(entries) == 0 {
		fmt.Fprintln(e.stdout, "nothing new to store")
	}
	return nil
}

func listStored(opts promptOptions, e *env) error {
	ks, err := openKeystore(opts)
	if err != nil {
		return err
	}
	ids, err := ks.List()
	if err != nil {
		return err
	}
	entries := make([]storedEntry, len(ids))
	for i, id := range ids {
		entries[i] = storedEntry{ID: id, Backend: ks.Backend(), Location: ks.Location()}
	}
	if opts.Format == "json" {
		return writeJSON(e, map[string]any{"app": opts.App, "stored": entries})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tBACKEND\tLOCATION")
	for _, s := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.ID, s.Backend, s.Location)
	}
	return tw.Flush()
}

func forgetStored(opts promptOptions, e *env) error {
	ks, err := openKeystore(opts)
	if err != nil {
		return err
	}
	err = ks.Delete(opts.Forget)
	if errors.Is(err, keystore.ErrNotFound) {
		return &store.NotFoundError{Kind: "stored secret", Name: opts.Forget, Hint: "secretsctl prompt --app " + opts.App + " --list shows what is stored"}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "forgot %s (%s, %s)\n", opts.Forget, ks.Backend(), ks.Location())
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
