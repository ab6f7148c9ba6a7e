package ledger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/secretsctl/secretsctl/store"
)

// BenchmarkAuditSecret audits one secret over the ledger of the store in
// $SECRETSCTL_BENCH_LEDGER (made by scripts/bench-ledger.sh: 10,000 events);
// it is skipped without one.
func BenchmarkAuditSecret(b *testing.B) {
	dir := os.Getenv("SECRETSCTL_BENCH_LEDGER")
	if dir == "" {
		b.Skip("set SECRETSCTL_BENCH_LEDGER to a store with a ledger (scripts/bench-ledger.sh makes one)")
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		sn, err := st.Snapshot(store.ReadOptions{AllowUnverified: true})
		if err != nil {
			b.Fatal(err)
		}
		a, err := Reader{Snapshot: sn, Now: time.Now()}.Audit(Filter{Secret: "picker-wheel/SESSION_SECRET"})
		if err != nil {
			b.Fatal(err)
		}
		if len(a.Holdings) == 0 {
			b.Fatal("no holdings")
		}
	}
}

// BenchmarkIssue issues a new deployment per iteration into the store in
// $SECRETSCTL_BENCH_LEDGER (one commit each); it is skipped without one.
func BenchmarkIssue(b *testing.B) {
	dir := os.Getenv("SECRETSCTL_BENCH_LEDGER")
	if dir == "" {
		b.Skip("set SECRETSCTL_BENCH_LEDGER to a store with a ledger (scripts/bench-ledger.sh makes one)")
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	w := &Writer{Store: st}
	out := b.TempDir()
	run := time.Now().UnixNano()
	i := 0
	for b.Loop() {
		i++
		d := fmt.Sprintf("bench-%d-%d", run, i)
		if _, err := w.Issue(context.Background(), IssueRequest{Scenario: "picker-wheel", Tier: "saas", Deployment: d, Out: filepath.Join(out, d)}); err != nil {
			b.Fatal(err)
		}
	}
}
