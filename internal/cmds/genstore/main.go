// Command genstore writes a large synthetic store for benchmarks (SPEC §12):
//
//	go run ./internal/cmds/genstore -dir /tmp/bigstore
//
// It uses the configured age key (SOPS_AGE_KEY_FILE...) or creates one like
// `secretsctl init` does.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/secretsctl/secretsctl/internal/bigstore"
	"github.com/secretsctl/secretsctl/store"
)

func main() {
	dir := flag.String("dir", "", "directory of the new store (required)")
	spec := bigstore.Large
	flag.IntVar(&spec.Scenarios, "scenarios", spec.Scenarios, "number of scenarios")
	flag.IntVar(&spec.Resources, "resources", spec.Resources, "number of resources")
	flag.IntVar(&spec.SecretsPerResource, "secrets-per-resource", spec.SecretsPerResource, "secrets each resource declares")
	flag.IntVar(&spec.ResourcesPerScen, "resources-per-scenario", spec.ResourcesPerScen, "resources each scenario uses")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "genstore: -dir is required")
		os.Exit(2)
	}
	if err := bigstore.Generate(context.Background(), *dir, spec, storeOptions()); err != nil {
		fmt.Fprintln(os.Stderr, "genstore:", err)
		os.Exit(1)
	}
	fmt.Printf("generated %d scenarios, %d resources, %d secrets in %s\n", spec.Scenarios, spec.Resources,
		spec.Resources*spec.SecretsPerResource, *dir)
}

func storeOptions() store.Options { return store.Options{} }
