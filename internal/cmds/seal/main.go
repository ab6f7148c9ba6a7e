// Command seal encrypts plaintext YAML documents of a store in place with the
// store's .sops.yaml, for maintaining examples/store:
//
//	go run ./internal/cmds/seal -store examples/store resources/redis.yaml
//
// To edit a sealed document, use `sops edit` with the store's key.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/secretsctl/secretsctl/store"
)

func main() {
	dir := flag.String("store", ".", "store directory")
	flag.Parse()
	s, err := store.Open(*dir, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "seal:", err)
		os.Exit(1)
	}
	for _, rel := range flag.Args() {
		if err := s.SealFile(rel); err != nil {
			fmt.Fprintln(os.Stderr, "seal:", err)
			os.Exit(1)
		}
	}
}
