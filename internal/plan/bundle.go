package plan

import (
	"slices"

	"github.com/secretsctl/secretsctl/store"
)

// bundleSecret turns a non-blocking manifest entry into what a bundle
// carries; false for secrets a bundle never sees (stripped, infrastructure).
func bundleSecret(ms store.ManifestSecret) (store.BundleSecret, bool) {
	if ms.Classification == store.Infrastructure {
		return store.BundleSecret{}, false
	}
	bs := store.BundleSecret{
		ID:          ms.ID,
		Required:    ms.Required,
		Description: ms.Description,
		Format:      ms.ValidationPattern,
		Target:      primaryTarget(ms.Targets[0]),
	}
	switch ms.HandlingStrategy {
	case store.Prompt:
		bs.Class, bs.Prompt = store.ClassUserPrompt, ms.Prompt
	case store.Generate:
		bs.Class, bs.Generator, bs.GenerateAt = store.ClassPerInstallGenerated, ms.GeneratorTemplate, ms.GenerateAt
	case store.Delegate:
		bs.Class, bs.Delegate = store.ClassRemoteFetch, ms.Delegate
	default:
		return store.BundleSecret{}, false
	}
	return bs, true
}

// primaryTarget is the target in the shape existing bundlers read: env or
// file. A config target is a file (the key path inside it is in targets[]).
func primaryTarget(t store.Target) store.BundleTarget {
	if t.Type == "env" {
		return store.BundleTarget{Type: "env", Name: t.Name}
	}
	return store.BundleTarget{Type: "file", Name: t.Path}
}

// summarize counts the manifest's secrets.
func summarize(secrets []store.ManifestSecret, blocking []store.BlockingDetail) store.Summary {
	s := store.Summary{
		TotalSecrets:          len(secrets),
		RequiresAction:        len(blocking),
		BlockingSecrets:       []string{},
		BlockingSecretDetails: []store.BlockingDetail{},
		ClassificationWeights: map[string]int{},
		StrategyBreakdown:     map[string]int{},
		ScopeReadiness:        map[string]string{},
	}
	blocked := map[string]bool{}
	for _, b := range blocking {
		s.BlockingSecrets = append(s.BlockingSecrets, b.Resource+":"+b.Secret)
		s.BlockingSecretDetails = append(s.BlockingSecretDetails, b)
		blocked[store.SecretID(b.Resource, b.Secret)] = true
	}
	slices.Sort(s.BlockingSecrets)
	for _, ms := range secrets {
		if ms.HandlingStrategy != store.Unspecified {
			s.StrategizedSecrets++
		}
		class := string(ms.Classification)
		s.ClassificationWeights[class]++
		s.StrategyBreakdown[string(ms.HandlingStrategy)]++
		if blocked[ms.ID] {
			s.ScopeReadiness[class] = "blocked"
		} else if s.ScopeReadiness[class] == "" {
			s.ScopeReadiness[class] = "ready"
		}
	}
	return s
}
