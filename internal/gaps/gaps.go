// Package gaps turns every secret without a strategy on a tier a scenario
// ships to into a task an issue tracker can ingest, and posts the tasks.
package gaps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// Task is one missing strategy, as an issue tracker ingests it.
type Task struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Labels   []string `json:"labels"`
	Scenario string   `json:"scenario"`
	Tier     string   `json:"tier"`
	SecretID string   `json:"secret_id"`
	// Resource is the resource declaring the secret (the scenario itself
	// for a scenario's own secret).
	Resource       string `json:"resource"`
	Classification string `json:"classification"`
	// EndUserTier is set when the tier ships to end users' devices: such a
	// gap blocks what users receive and is the more urgent.
	EndUserTier bool `json:"end_user_tier"`
	// File is the document where the strategy is best added.
	File string `json:"file"`
	// DedupKey is stable for the same scenario, tier and secret, so that
	// re-posting creates no duplicates.
	DedupKey string `json:"dedup_key"`
}

// Find plans every pair and returns one task per secret whose strategy is
// unspecified, in plan order.
func Find(ctx context.Context, sn *store.Snapshot, pairs []plan.Pair) ([]Task, error) {
	tasks := []Task{}
	err := plan.Each(ctx, sn, pairs, func(m *store.Manifest) error {
		tier, err := sn.Tiers().Resolve(m.TierID)
		if err != nil {
			return err
		}
		for _, s := range m.Secrets {
			if s.HandlingStrategy == store.Unspecified {
				t := task(m, s)
				t.EndUserTier = tier.ShipsToEndUsers
				tasks = append(tasks, t)
			}
		}
		return nil
	})
	return tasks, err
}

func task(m *store.Manifest, s store.ManifestSecret) Task {
	file := "resources/" + s.ResourceName + ".yaml"
	if s.ResourceName == m.Scenario {
		file = "scenarios/" + m.Scenario + ".yaml"
	}
	sum := sha256.Sum256([]byte("missing-strategy\x00" + m.Scenario + "\x00" + m.TierID + "\x00" + s.ID))
	return Task{
		Title:    fmt.Sprintf("secrets: %s has no strategy on %s (scenario %s)", s.ID, m.TierID, m.Scenario),
		Body:     body(m, s, file),
		Labels:   []string{"secrets", "missing-strategy", m.TierID, "scenario:" + m.Scenario},
		Scenario: m.Scenario,
		Tier:     m.TierID,
		SecretID: s.ID,
		Resource: s.ResourceName,
		File:     file,
		DedupKey: "secretsctl-gap-" + hex.EncodeToString(sum[:12]),

		Classification: string(s.Classification),
	}
}

func body(m *store.Manifest, s store.ManifestSecret, file string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Scenario `%s` ships to `%s`, but secret `%s` (%s, classification `%s`) has no strategy there, ",
		m.Scenario, m.TierID, s.ID, orNone(s.Description), s.Classification)
	b.WriteString("so every plan for that tier is blocked.\n\n")
	fmt.Fprintf(&b, "Add a strategy under `strategies.%s` of `%s` in `%s`, ", m.TierID, s.SecretKey, file)
	if own := "scenarios/" + m.Scenario + ".yaml"; file != own {
		fmt.Fprintf(&b, "an override in `%s` (with a reason), ", own)
	}
	fmt.Fprintf(&b, "or a policy default for `%s` secrets in `secretsctl.yaml`. For example:\n\n", s.Classification)
	fmt.Fprintf(&b, "```yaml\n    - key: %s\n      strategies:\n        %s:\n%s```\n", s.SecretKey, m.TierID, example(s.Classification))
	b.WriteString("\nCheck with `secretsctl plan --scenario " + m.Scenario + " --tier " + m.TierID + "` and `secretsctl lint`.\n")
	return b.String()
}

// example is a snippet of the strategy that usually fits the classification.
func example(c store.Classification) string {
	switch c {
	case store.Infrastructure:
		return "          strategy: strip\n          reason: the tier's runtime supplies it\n"
	case store.User:
		return "          strategy: prompt\n          prompt:\n            label: Your API key\n"
	}
	return "          strategy: generate\n          at: install\n          generator: {type: random, length: 32, charset: alnum}\n"
}

func orNone(s string) string {
	if s == "" {
		return "no description"
	}
	return s
}
