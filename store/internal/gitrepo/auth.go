package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// ErrAuth marks a remote that refused the credentials presented, or asked
// for credentials when none were found.
var ErrAuth = errors.New("authentication failed")

// Credentials are explicit credentials for a repository's HTTPS remotes,
// used instead of those git would find.
type Credentials struct {
	// TokenFile holds a token sent as the password of HTTP basic auth, with
	// the user name of the remote URL or else "x-access-token". It is read
	// again before every network operation, so it can be rotated.
	TokenFile string
	// SSHKeyFile is an unencrypted private key for SSH remotes (a deploy
	// key), used as user of the URL or else "git"; KnownHostsFile the
	// known_hosts file their host keys are checked against (else the SSH
	// defaults: SSH_KNOWN_HOSTS, ~/.ssh/known_hosts). Host keys are always
	// checked. Both are read again before every network operation.
	SSHKeyFile, KnownHostsFile string
}

// SetCredentials makes c the credentials of every later network
// operation.
func (r *Repo) SetCredentials(c Credentials) {
	r.mu.Lock()
	r.creds = c
	r.mu.Unlock()
}

// network runs op against remote's URL (url.<base>.insteadOf applied, as
// git does) with the credentials git would present there: the token file
// when one is set; else http.<url>.extraheader; else none, and when the
// server asks for some, those a credential helper gives (git credential
// fill), approved or rejected afterwards as git does. Only HTTP(S) remotes
// are handled here; for the others op gets no URL and no auth, and go-git
// uses the configured URL and its defaults. A credential is never put in
// argv: it travels through pipes and request headers only.
// remoteOpts is how to reach a remote: its URL ("" for the configured
// one), the credentials and the proxy.
type remoteOpts struct {
	url   string
	auth  transport.AuthMethod
	proxy transport.ProxyOptions
}

func (r *Repo) network(ctx context.Context, remote string, op func(remoteOpts) error) error {
	u := r.remoteURL(ctx, remote)
	r.mu.Lock()
	creds := r.creds
	r.mu.Unlock()
	if isSSH(u) && creds.SSHKeyFile != "" {
		auth, err := sshAuth(creds, u)
		if err != nil {
			return err
		}
		return op(remoteOpts{url: u, auth: auth})
	}
	if !isHTTP(u) {
		return op(remoteOpts{})
	}
	o := remoteOpts{url: u, proxy: r.proxy(ctx, u)}
	if creds.TokenFile != "" {
		auth, err := tokenAuth(creds.TokenFile, u)
		if err != nil {
			return err
		}
		o.auth = auth
		return authErr(u, op(o))
	}
	header, hasHeader := r.extraHeader(ctx, u)
	if hasHeader {
		o.auth = header
	}
	err := op(o)
	if !errors.Is(err, transport.ErrAuthenticationRequired) {
		return authErr(u, err)
	}
	cred, ok := r.credentialFill(ctx, u)
	switch {
	case !ok && hasHeader:
		return authErr(u, err)
	case !ok:
		return fmt.Errorf("%w: %s asks for credentials and git found none (credential helper, http.extraheader): %w",
			ErrAuth, RedactURL(u), err)
	case hasHeader:
		o.auth = bothAuth{header, cred} // git sends the extra header with the helper's credential
	default:
		o.auth = cred
	}
	err = op(o)
	r.credentialReport(ctx, u, cred, err)
	return authErr(u, err)
}

// remoteURL is the URL git uses for remote, or "" when git does not know
// it (then go-git reads the configured one).
func (r *Repo) remoteURL(ctx context.Context, remote string) string {
	out, err := r.gitCLI(ctx, "", "ls-remote", "--get-url", remote)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(out)
}

func isHTTP(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// tokenAuth reads the token file and returns basic auth for u.
func tokenAuth(file, u string) (transport.AuthMethod, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read git token file: %w", err)
	}
	token := strings.TrimSpace(string(data))
	if token == "" {
		return nil, fmt.Errorf("read git token file %s: empty", file)
	}
	user := "x-access-token"
	if p, err := url.Parse(u); err == nil && p.User != nil && p.User.Username() != "" {
		user = p.User.Username()
	}
	return &githttp.BasicAuth{Username: user, Password: token}, nil
}

// authErr names the remote when it refused the credentials.
func authErr(u string, err error) error {
	if isAuthErr(err) {
		return fmt.Errorf("%w: %s refused the credentials: %w", ErrAuth, RedactURL(u), err)
	}
	return err
}

func isAuthErr(err error) bool {
	return errors.Is(err, transport.ErrAuthenticationRequired) || errors.Is(err, transport.ErrAuthorizationFailed)
}

// headerAuth sends one header (http.extraheader) with every request.
type headerAuth struct{ name, value string }

func (h headerAuth) Name() string              { return "http-extraheader" }
func (h headerAuth) String() string            { return "http.extraheader " + h.name + ": [redacted]" }
func (h headerAuth) SetAuth(req *http.Request) { req.Header.Set(h.name, h.value) }

// bothAuth sends the extra header, then the helper's basic auth (which
// wins when the header is Authorization too).
type bothAuth struct {
	header githttp.AuthMethod
	basic  *githttp.BasicAuth
}

func (b bothAuth) Name() string   { return "http-extraheader+basic-auth" }
func (b bothAuth) String() string { return b.header.String() + ", " + b.basic.String() }
func (b bothAuth) SetAuth(req *http.Request) {
	b.header.SetAuth(req)
	b.basic.SetAuth(req)
}

// extraHeader reads http.<url>.extraheader for u from git's configuration
// (system, global, repository), as actions/checkout writes it.
func (r *Repo) extraHeader(ctx context.Context, u string) (githttp.AuthMethod, bool) {
	out, err := r.gitCLI(ctx, "", "config", "--get-urlmatch", "http.extraheader", withoutUserinfo(u))
	if err != nil {
		return nil, false
	}
	name, value, ok := strings.Cut(strings.TrimSpace(out), ":")
	if !ok || strings.TrimSpace(name) == "" {
		return nil, false
	}
	return headerAuth{name: strings.TrimSpace(name), value: strings.TrimSpace(value)}, true
}

// proxy reads http.<url>.proxy from git's configuration; without it the
// HTTPS_PROXY/HTTP_PROXY/NO_PROXY environment applies.
func (r *Repo) proxy(ctx context.Context, u string) transport.ProxyOptions {
	out, err := r.gitCLI(ctx, "", "config", "--get-urlmatch", "http.proxy", withoutUserinfo(u))
	p := strings.TrimSpace(out)
	if err != nil || p == "" {
		return transport.ProxyOptions{}
	}
	if !strings.Contains(p, "://") {
		p = "http://" + p // git's default scheme for a proxy
	}
	return transport.ProxyOptions{URL: p}
}

// withoutUserinfo drops the user information of a URL that goes into argv
// (a token in a configured remote URL must not reach ps).
func withoutUserinfo(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	u.User = nil
	return u.String()
}

// RedactURL removes the user information (a token is often the user name)
// from a URL so it can be shown; one that does not parse is not shown.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable remote URL)"
	}
	if u.User != nil {
		u.User = url.User("xxxxx")
	}
	return u.String()
}
