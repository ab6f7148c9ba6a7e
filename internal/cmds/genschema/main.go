// Command genschema writes the JSON Schema of every store document kind and
// of the manifest into jsonschema/. It runs from `go generate ./store`:
//
//	go run ./internal/cmds/genschema -out jsonschema
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/secretsctl/secretsctl/store"
)

func main() {
	out := flag.String("out", "jsonschema", "output directory")
	root := flag.String("root", "", "module root, for doc comments (default: the parent of -out)")
	flag.Parse()
	if *root == "" {
		*root = filepath.Dir(*out)
	}
	if err := generate(*out, *root); err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}

func generate(out, root string) error {
	out, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// Doc comments are looked up by import path, relative to the module root.
	if err := os.Chdir(root); err != nil {
		return err
	}
	for _, k := range store.Kinds() {
		data, err := store.SchemaJSON(k, store.SchemaOptions{SourceDir: "."})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, string(k)+".schema.json"), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
