package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/store"
)

// Kinds of names the shell completion reads from the store.
const (
	namesScenarios   = "scenarios"
	namesTiers       = "tiers"
	namesSecrets     = "secrets"
	namesDeployments = "deployments"
)

// flagNamesKind maps a flag's canonical name to the names its value takes.
var flagNamesKind = map[string]string{
	"scenario":   namesScenarios,
	"app":        namesScenarios,
	"tier":       namesTiers,
	"secret":     namesSecrets,
	"deployment": namesDeployments,
}

// idCommands take a secret id as their argument.
var idCommands = []string{"get", "set", "unset"}

// wireCompletion adds `secretsctl completion bash|zsh|fish|pwsh` and makes
// every command complete the values of --scenario, --tier, --secret and
// --deployment (and get/set/unset's ID) from the store.
func wireCompletion(app *ucli.Command, e *env) {
	app.EnableShellCompletion = true
	app.ConfigureShellCompletionCommand = func(c *ucli.Command) {
		c.Hidden = false
		c.Usage = "print the shell completion script: bash, zsh, fish or pwsh (PowerShell)"
		for _, sub := range c.Commands {
			if sub.Name == "pwsh" {
				sub.Aliases = []string{"powershell"}
			}
		}
		wireCommand(c, e)
	}
	_ = app.Walk(func(c *ucli.Command) error {
		c.ShellComplete = func(ctx context.Context, c *ucli.Command) { complete(ctx, c, e) }
		return nil
	})
}

// complete prints the candidates for the word after c's arguments: store
// names for a flag that takes them, else urfave/cli's flags and commands.
func complete(ctx context.Context, c *ucli.Command, e *env) {
	var prev string
	if args := c.Args().Slice(); len(args) > 0 {
		prev = args[len(args)-1]
	}
	kind, isValue := completionKind(c, prev)
	switch {
	case kind != "":
		for _, name := range storeNames(c, e, kind) {
			fmt.Fprintln(c.Root().Writer, name)
		}
	case !isValue: // a flag's value is free text: nothing to offer
		ucli.DefaultCompleteWithFlags(ctx, c)
	}
}

// completionKind says which store names complete the word after prev, and
// whether that word is the value of a flag.
func completionKind(c *ucli.Command, prev string) (kind string, isValue bool) {
	if name, ok := strings.CutPrefix(prev, "-"); ok {
		f := flagNamed(c, strings.TrimPrefix(name, "-"))
		if f == nil || isBoolFlag(f) {
			return "", false
		}
		return flagNamesKind[f.Names()[0]], true
	}
	if slices.Contains(idCommands, c.Name) && c.NArg() == 0 {
		return namesSecrets, false
	}
	return "", false
}

func flagNamed(c *ucli.Command, name string) ucli.Flag {
	for _, cmd := range c.Lineage() {
		for _, f := range cmd.Flags {
			if slices.Contains(f.Names(), name) {
				return f
			}
		}
	}
	return nil
}

func isBoolFlag(f ucli.Flag) bool {
	_, ok := f.(*ucli.BoolFlag)
	return ok
}

// storeNames lists names of kind from the store c would use, read
// without a key; nothing when there is no store.
func storeNames(c *ucli.Command, e *env, kind string) []string {
	_, sn, err := storeOptions{Store: storeFlagValue(c), AllowUnverified: true}.open(e)
	if err != nil {
		return nil
	}
	switch kind {
	case namesScenarios:
		return sn.ScenarioNames()
	case namesTiers:
		return tierNames(sn.Tiers())
	case namesSecrets:
		return secretIDs(sn)
	case namesDeployments:
		return deploymentIDs(sn)
	}
	return nil
}

// tierNames are every tier's id and aliases.
func tierNames(c *store.TierCatalog) []string {
	var out []string
	for _, t := range c.Tiers() {
		out = append(out, t.ID)
		out = append(out, t.Aliases...)
	}
	return out
}

// secretIDs are the ids of every resource's and scenario's secrets.
func secretIDs(sn *store.Snapshot) []string {
	var out []string
	for _, name := range sn.ResourceNames() {
		if r, err := sn.Resource(name); err == nil {
			out = appendIDs(out, name, r.Secrets)
		}
	}
	for _, name := range sn.ScenarioNames() {
		if s, err := sn.Scenario(name); err == nil {
			out = appendIDs(out, name, s.Secrets)
		}
	}
	return out
}

func appendIDs(out []string, owner string, secrets []store.Secret) []string {
	for _, s := range secrets {
		out = append(out, owner+"/"+s.Key)
	}
	return out
}

// deploymentIDs are the deployments the ledger knows, once each.
func deploymentIDs(sn *store.Snapshot) []string {
	files, err := sn.LedgerFiles()
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range files {
		if !slices.Contains(out, f.Deployment) {
			out = append(out, f.Deployment)
		}
	}
	return out
}
