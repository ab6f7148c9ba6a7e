package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/internal/api"
	"github.com/secretsctl/secretsctl/internal/ui"
	"github.com/secretsctl/secretsctl/store"
)

type serveOptions struct {
	storeOptions
	Addr         string
	Remote       string
	PullInterval time.Duration
	ReplicaDir   string
	TokenFile    string
	GitTokenFile string
	SSHKey       string
	KnownHosts   string
}

func newServeCommand(e *env) *ucli.Command {
	return &ucli.Command{
		Name:  "serve",
		Usage: "serve manifests and store queries over a read-only HTTP API",
		Description: `Serves the manifests deployment-manager and the bundlers read, derived from
HEAD of the store (a new commit is served by the next request), and the
scenarios, tiers, resources, coverage, gaps, revisions and plan diffs.
?rev= pins any commit, tag or branch. No route changes the store.

Routes (see /openapi.json): GET /deployment/secrets?scenario=&tier=,
GET /api/v1/deployment/secrets/{scenario}?tier=&include_optional=,
POST /api/v1/deployment/secrets, POST /api/v1/deployment/readiness,
GET /api/v1/plans/{scenario}/{tier}, /api/v1/scenarios[/{name}],
/api/v1/tiers, /api/v1/resources, /api/v1/coverage, /api/v1/gaps,
/api/v1/revisions, /api/v1/plan-diff?base=&head=, /healthz, /readyz,
/metrics, /openapi.json.

/ui/ is a read-only dashboard over the same JSON API: the scenario × tier
coverage matrix, each plan, and the plan diff between two revisions. Its
assets (HTML, CSS, JavaScript; no data) are served without a token; with
--token-file the page asks for one and sends it on every API request.

With --remote, serve keeps a bare clone of the remote store (in
--replica-dir, else a temporary directory removed on exit) that fetches
and fast-forwards every --pull-interval; it never commits or pushes.
/readyz is 503 until the first sync, then reports the revision and the
last good sync; a failed fetch keeps the last good revision serving.
The replica authenticates as git would (credential helpers,
http.<url>.extraheader); --git-token-file (or SECRETSCTL_GIT_TOKEN_FILE)
instead names a file holding an HTTPS token, sent as the basic-auth
password and read again before every fetch, for a service without a home
directory. Never put a token in the URL: it would be in argv. For an SSH
remote, --ssh-key (SECRETSCTL_SSH_KEY_FILE) names a deploy key and
--known-hosts (SECRETSCTL_SSH_KNOWN_HOSTS) the known_hosts file its host key
must be in; host keys are always checked.

--token-file holds bearer tokens, one per line (blank lines and lines
starting with # are ignored), each of at least 128 bits of entropy (such as
` + "`openssl rand -hex 32`" + `; a shorter one is refused); every route but /healthz and /ui/ then needs
"Authorization: Bearer TOKEN". One JSON line per request goes to stderr;
no secret value is ever logged. SIGTERM or SIGINT drains requests and exits 0.

Examples:
   secretsctl serve
   secretsctl serve --store ./secrets --addr 127.0.0.1:8080
   secretsctl serve --remote https://git.example.com/team/secrets.git --pull-interval 30s --token-file /etc/secretsctl/tokens
   curl -s 'http://127.0.0.1:8080/deployment/secrets?scenario=picker-wheel&tier=desktop'` + exitCodeHelp,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "address to listen on (port 0 picks a free one)"},
			&ucli.StringFlag{Name: "remote", Usage: "follow the store at this git URL as a read-only replica instead of --store"},
			&ucli.DurationFlag{Name: "pull-interval", Value: 30 * time.Second, Usage: "how often a replica fetches"},
			&ucli.StringFlag{Name: "replica-dir", Usage: "where a replica keeps its bare clone (default: a temporary directory)"},
			&ucli.StringFlag{Name: "token-file", Usage: "file of accepted bearer tokens, one per line"},
			&ucli.StringFlag{Name: "git-token-file", Sources: ucli.EnvVars("SECRETSCTL_GIT_TOKEN_FILE"),
				Usage: "file holding the HTTPS token the --remote is given, read before every fetch"},
			&ucli.StringFlag{Name: "ssh-key", Sources: ucli.EnvVars("SECRETSCTL_SSH_KEY_FILE"),
				Usage: "private key (a deploy key) for an SSH --remote"},
			&ucli.StringFlag{Name: "known-hosts", Sources: ucli.EnvVars("SECRETSCTL_SSH_KNOWN_HOSTS"),
				Usage: "known_hosts file an SSH --remote's host key is checked against (default ~/.ssh/known_hosts)"},
			allowUnverifiedFlag(),
		},
		Action: func(ctx context.Context, c *ucli.Command) error {
			if c.NArg() > 0 {
				return usagef("serve takes no arguments (got %q)", c.Args().First())
			}
			opts := serveOptions{storeOptions: storeOptions{Store: storeFlagValue(c), AllowUnverified: c.Bool("allow-unverified")},
				Addr: c.String("addr"), Remote: c.String("remote"), PullInterval: c.Duration("pull-interval"),
				ReplicaDir: c.String("replica-dir"), TokenFile: c.String("token-file"), GitTokenFile: c.String("git-token-file"),
				SSHKey: c.String("ssh-key"), KnownHosts: c.String("known-hosts")}
			if c.String("remote") == "" && (c.IsSet("pull-interval") || c.IsSet("replica-dir")) {
				return usagef("--pull-interval and --replica-dir need --remote")
			}
			for _, f := range []string{"git-token-file", "ssh-key", "known-hosts"} {
				if c.String("remote") == "" && c.IsSet(f) {
					return usagef("--%s needs --remote", f)
				}
			}
			return runServe(ctx, opts, e)
		},
	}
}

func runServe(ctx context.Context, opts serveOptions, e *env) error {
	defaultGC() // a server lives long: Go's usual heap bound, not the CLI's
	if opts.Remote != "" && opts.PullInterval < time.Second {
		return usagef("--pull-interval %s: want at least 1s", opts.PullInterval)
	}
	tokens, err := readTokens(e, opts.TokenFile)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	logs := newFlushWriter(e.stderr, 200*time.Millisecond)
	defer logs.Close()
	apiOpts := api.Options{AllowUnverified: opts.AllowUnverified, Tokens: tokens,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Assets: &api.Assets{Prefix: ui.Prefix, Handler: ui.Handler()}}
	var replica *store.Replica
	if opts.Remote == "" {
		if apiOpts.Store, err = opts.openStore(e); err != nil {
			return err
		}
	} else {
		dir, cleanup, err := replicaDir(e, opts.ReplicaDir)
		if err != nil {
			return err
		}
		defer cleanup()
		if replica, err = openReplica(e, opts, dir); err != nil {
			return err
		}
	}
	srv := api.New(apiOpts)
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return usagef("--addr %s: %v", opts.Addr, err)
	}
	announce(e, ln.Addr(), apiOpts, replica)
	if replica != nil {
		noteUnverified(e, replica.Store(), opts.AllowUnverified)
	} else {
		noteUnverified(e, apiOpts.Store, opts.AllowUnverified)
	}
	if replica != nil {
		go srv.Follow(ctx, replica, opts.PullInterval)
	} else {
		go func() {
			if err := srv.Warm(ctx); err != nil && ctx.Err() == nil {
				apiOpts.Logger.Warn("warming the coverage cache failed; the first request computes it", "error", err.Error())
			}
		}()
	}
	return serveUntilDone(ctx, srv.HTTPServer(dashboardRedirect(srv)), ln)
}

// dashboardRedirect sends a browser that opens the server's root to the
// dashboard; every other request goes to h.
func dashboardRedirect(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			http.Redirect(w, r, ui.Prefix, http.StatusFound)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// openReplica opens the replica, checking the credential files are
// readable now rather than at the first fetch.
func openReplica(e *env, opts serveOptions, dir string) (*store.Replica, error) {
	files := []struct{ flag, path string }{{"git-token-file", opts.GitTokenFile}, {"ssh-key", opts.SSHKey}, {"known-hosts", opts.KnownHosts}}
	paths := make([]string, len(files))
	for i, f := range files {
		if f.path == "" {
			continue
		}
		paths[i] = resolvePath(e, f.path)
		if _, err := os.Stat(paths[i]); err != nil {
			return nil, usagef("--%s: %v", f.flag, err)
		}
	}
	return store.OpenReplica(opts.Remote, dir, store.Options{Getenv: e.getenv,
		GitTokenFile: paths[0], SSHKeyFile: paths[1], KnownHostsFile: paths[2]})
}

// announce says where the server listens, and warns when it is reachable
// from other machines without tokens.
func announce(e *env, addr net.Addr, o api.Options, replica *store.Replica) {
	what := "store"
	if o.Store != nil {
		what = "store " + o.Store.Dir()
	}
	if replica != nil {
		what = "replica of " + replica.Remote()
	}
	fmt.Fprintf(e.stderr, "secretsctl: serving %s on http://%s\n", what, addr)
	fmt.Fprintf(e.stderr, "secretsctl: dashboard http://%s%s, API http://%s/api/v1/ (described at http://%s/openapi.json)\n",
		addr, ui.Prefix, addr, addr)
	if ta, ok := addr.(*net.TCPAddr); ok && !ta.IP.IsLoopback() && len(o.Tokens) == 0 {
		fmt.Fprintf(e.stderr, "secretsctl: warning: %s is reachable from other machines and no --token-file is set\n", addr)
	}
}

// serveUntilDone serves until ctx ends, then drains in-flight requests.
func serveUntilDone(ctx context.Context, hs *api.HTTPServer, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// readTokens reads a token file: one token per line, # comments. A token
// of fewer than 128 bits of entropy is refused (see tokenBits).
func readTokens(e *env, file string) ([]string, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(resolvePath(e, file))
	if err != nil {
		return nil, usagef("--token-file: %v", err)
	}
	var tokens []string
	n := 0
	for line := range strings.Lines(string(data)) {
		n++
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := checkToken(file, n, line); err != nil {
			return nil, err
		}
		tokens = append(tokens, line)
	}
	if len(tokens) == 0 {
		return nil, usagef("--token-file %s holds no token", file)
	}
	return tokens, nil
}

// replicaDir is the directory for the replica's clone, and what to do on exit.
func replicaDir(e *env, dir string) (string, func(), error) {
	if dir != "" {
		return resolvePath(e, dir), func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "secretsctl-replica-")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}
