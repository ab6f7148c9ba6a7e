package store

import (
	"strings"

	"github.com/agnivade/levenshtein"
)

// Suggest returns the candidate closest to a misspelt name by edit distance
// (case-insensitive), or "" when none is close enough to be what was meant:
// at most two edits, and fewer than half the name's length.
func Suggest(name string, candidates []string) string {
	best, bestDist := "", -1
	lower := strings.ToLower(name)
	for _, c := range candidates {
		d := levenshtein.ComputeDistance(lower, strings.ToLower(c))
		if d == 0 {
			return "" // not misspelt: the name is valid
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist < 0 || bestDist > 2 || 2*bestDist >= len([]rune(name)) {
		return ""
	}
	return best
}

// didYouMean is the " (did you mean X?)" suffix of a reason, or "".
func didYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return ` (did you mean "` + s + `"?)`
	}
	return ""
}
