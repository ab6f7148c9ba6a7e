// Command secretsctl is a git-backed GitOps store for deployment secrets.
package main

import (
	"os"

	"github.com/secretsctl/secretsctl/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args, os.Stdin, os.Stdout, os.Stderr)) }
