package cli

import (
	"fmt"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// planBlocks collects the plans that have a blocking secret, so that plan
// exits 10 after printing them (see [ExitCheckFailed]); --allow-blocking
// turns it off for callers that only want to look.
type planBlocks struct {
	allow   bool
	planned int
	blocked []string // "scenario on tier: resource/KEY, …"
}

// add notes m's blocking secrets, if any.
func (b *planBlocks) add(m *store.Manifest) {
	b.planned++
	if len(m.Summary.BlockingSecrets) == 0 {
		return
	}
	b.blocked = append(b.blocked, fmt.Sprintf("%s on %s: %s", m.Scenario, m.TierID, strings.Join(blockingIDs(m.Summary), ", ")))
}

// err is the failed check when a plan blocks and blocking is not allowed.
func (b *planBlocks) err() error {
	if b.allow || len(b.blocked) == 0 {
		return nil
	}
	var s strings.Builder
	if b.planned == 1 {
		fmt.Fprintf(&s, "the plan is blocked: %s", b.blocked[0])
	} else {
		fmt.Fprintf(&s, "%d of %d plans are blocked:", len(b.blocked), b.planned)
		for _, p := range b.blocked {
			fmt.Fprintf(&s, "\n  %s", p)
		}
	}
	s.WriteString("\nhint: give each blocking secret a strategy for the tier (secretsctl lint says how), or pass --allow-blocking to only look")
	return checkFailed{msg: s.String()}
}
