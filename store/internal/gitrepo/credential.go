package gitrepo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// gitCLI runs git in the repository with stdin and returns its standard
// output. It never prompts on a terminal (GIT_TERMINAL_PROMPT=0; an
// askpass program still runs). Its error carries git's message with any
// URL user information removed.
func (r *Repo) gitCLI(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.root
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, redactText(stderr.String()))
	}
	return stdout.String(), nil
}

// credentialFill asks git's credential helpers for a user name and
// password for u (git credential fill). The request and the answer travel
// through pipes only.
func (r *Repo) credentialFill(ctx context.Context, u string) (*githttp.BasicAuth, bool) {
	out, err := r.gitCLI(ctx, "url="+u+"\n\n", "credential", "fill")
	if err != nil {
		return nil, false
	}
	var auth githttp.BasicAuth
	for line := range strings.SplitSeq(out, "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "username":
			auth.Username = v
		case "password":
			auth.Password = v
		}
	}
	return &auth, auth.Password != ""
}

// credentialReport tells the helpers whether the credential worked (git
// credential approve) or not (reject), as git does after a request. A
// failure to report is not the operation's failure.
func (r *Repo) credentialReport(ctx context.Context, u string, auth *githttp.BasicAuth, err error) {
	verb := "approve"
	switch {
	case isAuthErr(err):
		verb = "reject"
	case err != nil:
		return
	}
	in := "url=" + u + "\nusername=" + auth.Username + "\npassword=" + auth.Password + "\n\n"
	_, _ = r.gitCLI(ctx, in, "credential", verb)
}

// redactText removes the user information of every URL in s.
func redactText(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "://")
		if i < 0 {
			return b.String() + s
		}
		b.WriteString(s[:i+3])
		s = s[i+3:]
		end := strings.IndexAny(s, "/ \t\n'\"")
		if end < 0 {
			end = len(s)
		}
		if at := strings.LastIndex(s[:end], "@"); at >= 0 {
			b.WriteString("xxxxx")
			s = s[at:]
		}
	}
}
