package cli

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// BenchmarkRunPath is `secretsctl run --scenario picker-wheel -- true` on a
// copy of the example store minus the exec: open the store, snapshot HEAD,
// plan, resolve and build the child's environment, each iteration on a
// freshly opened store. (Work done once per process, such as compiling the
// document schemas, is paid only by the first iteration.)
func BenchmarkRunPath(b *testing.B) {
	dir := storetest.NewExample(b)
	e := &env{stdin: nil, stdout: io.Discard, stderr: io.Discard, getenv: os.Getenv, cwd: dir}
	opts := localOptions{storeOptions: storeOptions{Store: dir}, Scenario: "picker-wheel", Tier: "local", ScenarioDir: dir}
	b.ReportAllocs()
	for b.Loop() {
		res, err := resolveScenario(context.Background(), opts, e)
		if err != nil {
			b.Fatal(err)
		}
		values, err := res.Environ()
		if err != nil {
			b.Fatal(err)
		}
		_ = mergeEnv(os.Environ(), values)
	}
}
