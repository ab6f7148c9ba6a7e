package ledger

import (
	"fmt"
	"strconv"
	"time"
)

// DefaultGrace is how long a rotated value stays previous when its secret
// declares no rotation_grace.
const DefaultGrace = 7 * 24 * time.Hour

// ParseAge parses the store's durations: a number followed by h (hours),
// d (days) or w (weeks), such as "90d".
func ParseAge(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("invalid duration %q: want a number and h, d or w, such as 90d", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 || n > 100000 {
		return 0, fmt.Errorf("invalid duration %q: want a number and h, d or w, such as 90d", s)
	}
	unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, fmt.Errorf("invalid duration %q: want a number and h, d or w, such as 90d", s)
	}
	return time.Duration(n) * unit, nil
}
