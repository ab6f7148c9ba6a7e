package resolve_test

import (
	"context"
	"errors"
	"os/exec"

	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/secretsctl/secretsctl/internal/storetest"
	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

// allGitContent is every object of the repository and every commit message,
// as text, to look for a canary in.
func allGitContent(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err)
	return string(out) + storetest.Git(t, dir, "log", "--all", "--format=%B")
}

func TestSetThenGetRoundTripsWithOneCommitAndNoPlaintext(t *testing.T) {
	st, _ := exampleSnapshot(t)
	const canary = "canary-set-6d2f0c9e41"
	before := storetest.Git(t, st.Dir(), "rev-list", "--count", "HEAD")
	w, err := resolve.Set(context.Background(), st, "postgres/POSTGRES_PASSWORD", canary, resolve.WriteOptions{})
	require.NoError(t, err)
	assert.True(t, w.Changed)
	assert.Equal(t, "vault/local.yaml", w.File)
	assert.Equal(t, mustAtoi(t, before)+1, mustAtoi(t, storetest.Git(t, st.Dir(), "rev-list", "--count", "HEAD")), "one commit")
	msg := storetest.Git(t, st.Dir(), "log", "-1", "--format=%B")
	assert.Equal(t, "vault: set postgres/POSTGRES_PASSWORD in vault/local.yaml\n\nSecretsctl-Action: vault-set", msg)
	assert.Equal(t, "vault/local.yaml", storetest.Git(t, st.Dir(), "show", "--format=", "--name-only", "HEAD"))
	assert.Empty(t, storetest.Git(t, st.Dir(), "status", "--porcelain"))

	sn2, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	res, err := resolve.ResolveIDs(context.Background(), sn2, []string{"postgres/POSTGRES_PASSWORD"}, resolve.Options{Getenv: getenv(nil)})
	require.NoError(t, err)
	assert.Equal(t, canary, res.Values[0].Value)
	other, _ := resolve.ResolveIDs(context.Background(), sn2, []string{"postgres/POSTGRES_USER"}, resolve.Options{Getenv: getenv(nil)})
	assert.Equal(t, "picker", other.Values[0].Value, "other values are kept")
	assert.NotContains(t, allGitContent(t, st.Dir()), canary)

	// The same value again changes nothing.
	w, err = resolve.Set(context.Background(), st, "postgres/POSTGRES_PASSWORD", canary, resolve.WriteOptions{})
	require.NoError(t, err)
	assert.False(t, w.Changed)

	// unset removes it, one more commit.
	w, err = resolve.Unset(context.Background(), st, "postgres/POSTGRES_PASSWORD", resolve.WriteOptions{})
	require.NoError(t, err)
	assert.True(t, w.Changed)
	sn3, err := st.Snapshot(store.ReadOptions{})
	require.NoError(t, err)
	_, err = resolve.ResolveIDs(context.Background(), sn3, []string{"postgres/POSTGRES_PASSWORD"}, resolve.Options{Getenv: getenv(nil)})
	var me *resolve.MissingError
	assert.True(t, errors.As(err, &me))
	assert.Contains(t, storetest.Git(t, st.Dir(), "log", "-1", "--format=%B"), "Secretsctl-Action: vault-unset")
}

func TestSetRefusesUndeclaredIdsAndInvalidValues(t *testing.T) {
	st, _ := exampleSnapshot(t)
	_, err := resolve.Set(context.Background(), st, "postgres/NOPE", "x", resolve.WriteOptions{})
	assert.True(t, errors.Is(err, store.ErrNotFound), "%v", err)
	_, err = resolve.Set(context.Background(), st, "nope/KEY", "x", resolve.WriteOptions{})
	assert.True(t, errors.Is(err, store.ErrNotFound), "%v", err)
	_, err = resolve.Set(context.Background(), st, "postgres/POSTGRES_PASSWORD", "short-c", resolve.WriteOptions{})
	var ive *resolve.InvalidValueError
	require.True(t, errors.As(err, &ive), "%v", err)
	assert.NotContains(t, err.Error(), "short-c")
	_, err = resolve.Unset(context.Background(), st, "postgres/POSTGRES_PASSWORD", resolve.WriteOptions{Scope: "other"})
	assert.True(t, errors.Is(err, store.ErrNotFound), "%v", err)
	_, err = resolve.Set(context.Background(), st, "postgres/POSTGRES_USER", "ok", resolve.WriteOptions{Scope: "../x"})
	assert.ErrorContains(t, err, "invalid scope")
	assert.Equal(t, "1", storetest.Git(t, st.Dir(), "rev-list", "--count", "HEAD"), "nothing committed")
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n := 0
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9', s)
		n = n*10 + int(c-'0')
	}
	return n
}
