package store_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/store"
)

// test that a replica follows a repository over SSH (a real sshd on a
// loopback port) with a deploy key and a known_hosts file, and that a host
// key known_hosts does not list is refused.
func TestReplicaFollowsSSHWithDeployKey(t *testing.T) {
	work := storetest.NewExample(t)
	sshd := storetest.NewSSHServer(t)
	bare := filepath.Join(t.TempDir(), "store.git")
	storetest.Git(t, filepath.Dir(bare), "clone", "-q", "--bare", work, bare)
	ctx := context.Background()

	opts := store.Options{SSHKeyFile: sshd.KeyFile, KnownHostsFile: sshd.KnownHosts}
	rep, err := store.OpenReplica(sshd.URL(bare), filepath.Join(t.TempDir(), "replica"), opts)
	require.NoError(t, err)
	rev, err := rep.Sync(ctx)
	require.NoError(t, err)
	assert.Equal(t, storetest.Git(t, work, "rev-parse", "HEAD"), rev.Hash)

	other := filepath.Join(t.TempDir(), "known_hosts")
	otherKey := filepath.Join(t.TempDir(), "other_host_key")
	require.NoError(t, exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey).Run())
	pub, err := os.ReadFile(otherKey + ".pub")
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(sshd.Addr)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(other, append([]byte("[127.0.0.1]:"+port+" "), pub...), 0o600))
	empty := filepath.Join(t.TempDir(), "empty_known_hosts")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	for file, want := range map[string]string{other: "key mismatch", empty: "key is unknown"} {
		opts.KnownHostsFile = file
		rep, err = store.OpenReplica(sshd.URL(bare), filepath.Join(t.TempDir(), "replica2"), opts)
		require.NoError(t, err)
		_, err = rep.Sync(ctx)
		require.Error(t, err, "a host key known_hosts does not list is refused")
		assert.Contains(t, err.Error(), want)
		t.Logf("refused: %v", err)
	}
}
