package gitrepo

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestApplyConcurrentWriters(t *testing.T) {
	const writers, commits = 8, 10
	_, dir := testRepo(t)
	base := apply(t, mustOpen(t, dir), map[string]string{"README": "start"})

	var wg sync.WaitGroup
	errs := make(chan error, writers*commits)
	for g := range writers {
		r := mustOpen(t, dir) // a separate Repo, as separate processes would have
		wg.Go(func() {
			for i := range commits {
				p := fmt.Sprintf("g%d/f%02d.yaml", g, i)
				ch := Change{Files: map[string][]byte{p: []byte(p)}, Message: "add " + p}
				_, ok, err := r.Apply(context.Background(), ch)
				if err == nil && !ok {
					err = fmt.Errorf("%s: no commit", p)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	assert.Equal(t, fmt.Sprint(writers*commits), runGit(t, dir, "rev-list", "--count", base.Hash+"..HEAD"))
	for _, line := range strings.Split(runGit(t, dir, "rev-list", "--parents", "HEAD"), "\n") {
		assert.LessOrEqual(t, len(strings.Fields(line)), 2, "linear history: %s", line)
	}
	tree, err := mustOpen(t, dir).Tree(mustResolve(t, mustOpen(t, dir), "HEAD"))
	require.NoError(t, err)
	all, err := tree.Walk("")
	require.NoError(t, err)
	assert.Len(t, all, writers*commits+1)
	for g := range writers {
		for i := range commits {
			p := fmt.Sprintf("g%d/f%02d.yaml", g, i)
			assert.Equal(t, p, readWT(t, dir, p))
		}
	}
	assert.Len(t, strings.Split(runGit(t, dir, "reflog", "main"), "\n"), writers*commits+1)
	requireClean(t, dir)
}

func TestApplyWaitsForWriterLock(t *testing.T) {
	r, dir := testRepo(t)
	apply(t, r, map[string]string{"a": "a"})
	held := flock.New(r.commonDir + "/secretsctl.lock")
	require.NoError(t, held.Lock())

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, ok, err := r.Apply(ctx, Change{Files: files("a", "b"), Message: "m"})
	assert.False(t, ok)
	assert.ErrorContains(t, err, "secretsctl.lock")
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	done := make(chan error)
	go func() {
		_, _, err := r.Apply(context.Background(), Change{Files: files("a", "b"), Message: "m"})
		done <- err
	}()
	time.Sleep(30 * time.Millisecond)
	require.NoError(t, held.Unlock())
	require.NoError(t, <-done)
	assert.Equal(t, "b", readWT(t, dir, "a"))
	requireClean(t, dir)
}

func TestTreeConcurrentReads(t *testing.T) {
	r, _ := testRepo(t)
	want := map[string]string{}
	for i := range 50 {
		want[fmt.Sprintf("d%d/e%d/f%d.yaml", i%5, i%3, i)] = fmt.Sprint("content ", i)
	}
	c := apply(t, r, want)
	tree, err := r.Tree(c)
	require.NoError(t, err)
	other, err := r.Tree(c) // a second tree sharing the Repo's storage
	require.NoError(t, err)

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			tr := tree
			if g%2 == 1 {
				tr = other
			}
			for p, content := range want {
				b, err := tr.ReadFile(p)
				assert.NoError(t, err)
				assert.Equal(t, content, string(b))
				_, err = tr.List("d1")
				assert.NoError(t, err)
			}
			all, err := tr.Walk("")
			assert.NoError(t, err)
			assert.Len(t, all, len(want))
		})
	}
	wg.Wait()
}

func mustOpen(t testing.TB, dir string) *Repo {
	t.Helper()
	r, err := Open(dir)
	require.NoError(t, err)
	return r
}

func mustResolve(t testing.TB, r *Repo, rev string) Commit {
	t.Helper()
	c, err := r.Resolve(rev)
	require.NoError(t, err)
	return c
}
