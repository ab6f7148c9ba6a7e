package cli

import "fmt"

// countNoun is n and noun, plural unless n is 1: "1 file", "3 files",
// "0 findings". plural gives the plural form when adding "s" is wrong.
func countNoun(n int, noun string, plural ...string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	if len(plural) > 0 {
		return fmt.Sprintf("%d %s", n, plural[0])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
