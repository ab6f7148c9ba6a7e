// Package bigstore generates large synthetic stores for benchmarks: many
// scenarios over many resources, every document SOPS-encrypted and committed
// like a real store. The content is deterministic for a given [Spec].
package bigstore

import (
	"context"
	"fmt"

	"github.com/secretsctl/secretsctl/store"
)

// Spec sizes a generated store.
type Spec struct {
	Scenarios          int
	Resources          int
	SecretsPerResource int
	ResourcesPerScen   int
}

// Large is the store of SPEC §12: 1,000 scenarios, 200 resources, 10,000
// secrets.
var Large = Spec{Scenarios: 1000, Resources: 200, SecretsPerResource: 50, ResourcesPerScen: 5}

// Generate initialises a store in dir (see [store.Init]; the caller's
// environment supplies or receives the age key) and commits the generated
// documents in one commit.
func Generate(ctx context.Context, dir string, spec Spec, opts store.Options) error {
	if _, err := store.Init(ctx, dir, store.Author{Name: "bigstore", Email: "bigstore@example.com"}, opts); err != nil {
		return err
	}
	s, err := store.Open(dir, opts)
	if err != nil {
		return err
	}
	docs := map[string]any{}
	for r := range spec.Resources {
		res := resource(r, spec.SecretsPerResource)
		docs["resources/"+res.Name+".yaml"] = res
	}
	for i := range spec.Scenarios {
		sc := scenario(i, spec)
		docs["scenarios/"+sc.Name+".yaml"] = sc
	}
	_, _, err = s.Commit(ctx, store.Change{
		Documents: docs,
		Message:   store.Message{Subject: fmt.Sprintf("bigstore: %d scenarios, %d resources", spec.Scenarios, spec.Resources), Action: "generate"},
		Author:    store.Author{Name: "bigstore", Email: "bigstore@example.com"},
	})
	return err
}

var tierIDs = []string{store.TierLocal, store.TierDesktop, store.TierMobile, store.TierSaaS, store.TierEnterprise}

func resource(r, n int) *store.Resource {
	res := &store.Resource{Version: store.DocumentVersion, Name: fmt.Sprintf("res-%03d", r),
		Description: fmt.Sprintf("generated resource %d", r)}
	for k := range n {
		res.Secrets = append(res.Secrets, secret(r, k))
	}
	return res
}

// secret varies classification and strategies so plans exercise every path:
// some tiers are left without a strategy, so plans have blocking secrets.
func secret(r, k int) store.Secret {
	class := store.Classifications()[(r+k)%3]
	s := store.Secret{
		Key:               fmt.Sprintf("SECRET_%03d", k),
		Description:       fmt.Sprintf("generated secret %d of resource %d", k, r),
		Type:              "credential",
		Required:          k%2 == 0,
		ValidationPattern: ".{8,}",
		Classification:    class,
		Strategies:        map[string]store.Strategy{},
	}
	for t, tier := range tierIDs {
		if (r+k+t)%7 == 0 {
			continue // no strategy: blocking unless a policy default applies
		}
		s.Strategies[tier] = strategyFor(class, tier, k)
	}
	return s
}

func strategyFor(class store.Classification, tier string, k int) store.Strategy {
	endUser := tier == store.TierDesktop || tier == store.TierMobile
	switch {
	case class == store.Infrastructure && endUser:
		return store.Strategy{Strategy: store.Strip, Reason: "never ships"}
	case class == store.Infrastructure:
		return store.Strategy{Strategy: store.Delegate, Delegate: &store.DelegateSpec{Provider: "vault", Reference: fmt.Sprintf("secret/data/k%d", k)}}
	case class == store.User:
		return store.Strategy{Strategy: store.Prompt, Prompt: &store.PromptSpec{Label: fmt.Sprintf("Value %d", k)}}
	}
	return store.Strategy{Strategy: store.Generate, At: store.AtInstall,
		Generator: &store.Generator{Type: "random", Length: 32, Charset: "alnum"}}
}

func scenario(i int, spec Spec) *store.Scenario {
	sc := &store.Scenario{Version: store.DocumentVersion, Name: fmt.Sprintf("scenario-%04d", i),
		Description: fmt.Sprintf("generated scenario %d", i)}
	for j := range spec.ResourcesPerScen {
		r := (i*7 + j*13) % spec.Resources
		sc.Resources = append(sc.Resources, store.ResourceUse{Name: fmt.Sprintf("res-%03d", r), Optional: j == spec.ResourcesPerScen-1})
	}
	if i%10 == 0 {
		first := sc.Resources[0].Name
		sc.Overrides = map[string]map[string]store.Strategy{
			first + "/SECRET_000": {store.TierSaaS: {Strategy: store.Strip, Reason: "generated override"}},
		}
	}
	return sc
}
