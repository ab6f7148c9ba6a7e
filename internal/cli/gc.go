package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// A secretsctl command usually lives for tens of milliseconds and allocates
// a few MiB after start-up (decrypted documents, YAML trees, the plan). With
// Go's default GOGC=100 the heap goal right after package init is ~5 MiB, so
// such a command spends a collection cycle (and its assists, on two cores a
// good share of a 30 ms run) reclaiming memory the process is about to give
// back by exiting. cliGCPercent lets the heap grow to five times what is
// live instead, until the live heap reaches cliGCHeapCap, from when on the
// default applies again so that a command over a very large store keeps
// Go's usual memory bound. A GOGC set in the environment always wins, and
// long-running commands (serve) return to the default at start.
const (
	cliGCPercent = 400
	cliGCHeapCap = 64 << 20
)

var cliGCActive atomic.Bool

// tuneGCForCLI applies cliGCPercent unless GOGC is set.
func tuneGCForCLI() {
	if os.Getenv("GOGC") != "" || !cliGCActive.CompareAndSwap(false, true) {
		return
	}
	debug.SetGCPercent(cliGCPercent)
	runtime.SetFinalizer(new(gcSentinel), checkHeap)
}

// defaultGC returns to GOGC=100 (unless GOGC is set), for a long-running
// command.
func defaultGC() {
	if cliGCActive.CompareAndSwap(true, false) {
		debug.SetGCPercent(100)
	}
}

// gcSentinel is unreachable garbage whose finalizer runs once per
// collection cycle and re-arms itself, to look at the live heap.
type gcSentinel struct{ _ *byte } // a pointer keeps it out of the tiny allocator, whose blocks delay finalizers

func checkHeap(s *gcSentinel) {
	if !cliGCActive.Load() {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() >= cliGCHeapCap {
		defaultGC()
		return
	}
	runtime.SetFinalizer(s, checkHeap)
}
