package gitrepo

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// isSSH reports whether u is an SSH remote (ssh://… or user@host:path).
func isSSH(u string) bool {
	ep, err := transport.NewEndpoint(u)
	return err == nil && ep.Protocol == "ssh"
}

// sshAuth reads the deploy key and the known_hosts file for u.
func sshAuth(c Credentials, u string) (transport.AuthMethod, error) {
	user := "git"
	if ep, err := transport.NewEndpoint(u); err == nil && ep.User != "" {
		user = ep.User
	}
	auth, err := gitssh.NewPublicKeysFromFile(user, c.SSHKeyFile, "")
	if err != nil {
		return nil, fmt.Errorf("read ssh key %s: %w", c.SSHKeyFile, err)
	}
	if c.KnownHostsFile != "" {
		cb, err := gitssh.NewKnownHostsCallback(c.KnownHostsFile)
		if err != nil {
			return nil, fmt.Errorf("read known hosts %s: %w", c.KnownHostsFile, err)
		}
		auth.HostKeyCallback = cb
	}
	return auth, nil
}
