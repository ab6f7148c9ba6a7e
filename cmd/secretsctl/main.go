// Command secretsctl is a git-backed GitOps store for deployment secrets.
//
// For profiling, SECRETSCTL_CPUPROFILE=FILE writes a CPU profile of the
// whole run to FILE (go tool pprof reads it); it is meant for developers
// and not part of the documented interface.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/secretsctl/secretsctl/internal/cli"
)

func main() {
	stop := profile(os.Getenv("SECRETSCTL_CPUPROFILE"))
	code := cli.Main(os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// profile starts a CPU profile into file (none when it is empty) and
// returns the function that ends it.
func profile(file string) func() {
	if file == "" {
		return func() {}
	}
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintf(os.Stderr, "secretsctl: cpu profile: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "secretsctl: cpu profile: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
