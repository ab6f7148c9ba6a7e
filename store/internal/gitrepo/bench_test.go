package gitrepo

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchRepo makes a repository with n files spread over 20 directories, as
// a store's documents would be, committed in one Apply.
func benchRepo(b *testing.B, n int) (*Repo, string) {
	b.Helper()
	r, dir := testRepo(b)
	all := map[string]string{}
	for i := range n {
		all[fmt.Sprintf("store/d%02d/doc%04d.yaml", i%20, i)] = fmt.Sprintf("value: %d\nsops: {}\n", i)
	}
	apply(b, r, all)
	return r, dir
}

// BenchmarkApply measures one commit that replaces one file in a repository
// of 1,000 files: lock, plan, objects, fsyncs, ref, work tree and index.
func BenchmarkApply(b *testing.B) {
	r, _ := benchRepo(b, 1000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		ch := Change{
			Files:   map[string][]byte{"store/d07/doc0007.yaml": fmt.Appendf(nil, "value: %d\n", i)},
			Message: "bench\n",
		}
		_, ok, err := r.Apply(ctx, ch)
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkApplyNoop measures a change that leaves the tree as it is.
func BenchmarkApplyNoop(b *testing.B) {
	r, _ := benchRepo(b, 1000)
	ctx := context.Background()
	ch := Change{Files: map[string][]byte{"store/d07/doc0007.yaml": []byte("value: 7\nsops: {}\n")}, Message: "noop"}
	for b.Loop() {
		if _, ok, err := r.Apply(ctx, ch); err != nil || ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkReadFile measures reading one file through a fresh Tree (commit,
// two directories, blob) and through a warm one.
func BenchmarkReadFile(b *testing.B) {
	r, _ := benchRepo(b, 1000)
	c, err := r.Resolve("HEAD")
	require.NoError(b, err)
	b.Run("fresh tree", func(b *testing.B) {
		for b.Loop() {
			t, err := r.Tree(c)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := t.ReadFile("store/d07/doc0007.yaml"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("warm tree", func(b *testing.B) {
		t, err := r.Tree(c)
		require.NoError(b, err)
		for b.Loop() {
			if _, err := t.ReadFile("store/d07/doc0007.yaml"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("walk 1000", func(b *testing.B) {
		for b.Loop() {
			t, err := r.Tree(c)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := t.Walk("store"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
