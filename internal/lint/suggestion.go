package lint

import (
	"fmt"
	"maps"
	"slices"

	"github.com/secretsctl/secretsctl/store"
)

// RuleSuggestion warns about a value `secretsctl suggest --write` wrote
// that nobody has reviewed yet.
const RuleSuggestion = "unreviewed-suggestion"

// lintSuggestions reports every suggestion mark of a declared secret: one
// finding for its classification, one per strategy.
func lintSuggestions(r *Report, file, id string, s store.Secret) {
	if m := s.ClassificationSuggested; m != nil {
		r.add(Finding{Rule: RuleSuggestion, Severity: Warning, File: file, Secret: id,
			Message: fmt.Sprintf("classification %s was suggested by rule %s and is not reviewed yet", s.Classification, m.Rule),
			Hint:    "review it, then delete classification_suggested (or run secretsctl suggest --accept " + id + "#classification)"})
	}
	for _, tier := range slices.Sorted(maps.Keys(s.Strategies)) {
		if m := s.Strategies[tier].Suggested; m != nil {
			r.add(Finding{Rule: RuleSuggestion, Severity: Warning, File: file, Secret: id, Tier: tier,
				Message: fmt.Sprintf("strategy %s on %s was suggested by rule %s and is not reviewed yet", s.Strategies[tier].Strategy, tier, m.Rule),
				Hint:    "review it, then delete its suggested mark (or run secretsctl suggest --accept " + id + "@" + tier + ")"})
		}
	}
}
