package cli

import (
	"context"
	"os"
	"slices"

	ucli "github.com/urfave/cli/v3"

	"github.com/secretsctl/secretsctl/resolve"
	"github.com/secretsctl/secretsctl/store"
)

// localOptions are the flags the local-development commands (get, env, run,
// sources) share.
type localOptions struct {
	storeOptions
	Scenario     string
	Tier         string
	ScenarioDir  string
	AllowMissing bool
}

func localFlags(scenarioRequired bool) []ucli.Flag {
	scenarioUsage := "scenario whose plan says which secrets to resolve"
	if !scenarioRequired {
		scenarioUsage = "scenario (for the {scenario} in .env paths and its env names)"
	}
	return append(readFlags()[:2],
		&ucli.StringFlag{Name: "scenario", Aliases: []string{"s"}, Usage: scenarioUsage},
		&ucli.StringFlag{Name: "tier", Aliases: []string{"t"}, Value: "local", Usage: "tier id or alias whose plan lists the secrets"},
		&ucli.StringFlag{Name: "scenario-dir", Usage: "directory .env paths with relative_to: scenario are relative to (default: the current directory)"},
	)
}

func readLocalOptions(c *ucli.Command, e *env) localOptions {
	o := localOptions{storeOptions: readOptions(c), Scenario: c.String("scenario"), Tier: c.String("tier"),
		ScenarioDir: c.String("scenario-dir")}
	if o.ScenarioDir == "" {
		o.ScenarioDir = e.cwd
	} else {
		o.ScenarioDir = resolvePath(e, o.ScenarioDir)
	}
	if c.IsSet("allow-missing") {
		o.AllowMissing = c.Bool("allow-missing")
	}
	return o
}

func (o localOptions) resolveOptions(e *env) resolve.Options {
	return resolve.Options{AllowMissing: o.AllowMissing, Getenv: e.getenv, LookupEnv: os.LookupEnv, ScenarioDir: o.ScenarioDir}
}

// resolveScenario resolves every secret of the scenario's plan.
func resolveScenario(ctx context.Context, o localOptions, e *env) (*resolve.Result, error) {
	if o.Scenario == "" {
		return nil, usagef("--scenario is required")
	}
	_, sn, err := o.open(e)
	if err != nil {
		return nil, err
	}
	return resolvePlan(ctx, sn, o.Scenario, o.Tier, o.resolveOptions(e))
}

// resolveOne resolves one secret id, through the scenario's plan when one
// is named.
func resolveOne(ctx context.Context, o localOptions, id string, e *env) (resolve.Value, error) {
	if !store.ValidSecretID(id) {
		return resolve.Value{}, usageError{&resolve.InvalidIDError{ID: id}}
	}
	_, sn, err := o.open(e)
	if err != nil {
		return resolve.Value{}, err
	}
	ro := o.resolveOptions(e)
	var res *resolve.Result
	if o.Scenario == "" {
		res, err = resolve.ResolveIDs(ctx, sn, []string{id}, ro)
	} else {
		ro.AllowMissing = true
		res, err = resolvePlan(ctx, sn, o.Scenario, o.Tier, ro)
	}
	if err != nil {
		return resolve.Value{}, err
	}
	if v, ok := res.Lookup(id); ok {
		return v, nil
	}
	i := slices.IndexFunc(res.Missing, func(m resolve.Missing) bool { return m.ID == id })
	if i < 0 {
		return resolve.Value{}, &store.NotFoundError{Kind: "secret", Name: id, Hint: "scenario " + o.Scenario + " does not use it on " + res.Tier}
	}
	m := res.Missing[i]
	m.Required = true
	return resolve.Value{}, &resolve.MissingError{Scenario: res.Scenario, Tier: res.Tier, Missing: []resolve.Missing{m}}
}
