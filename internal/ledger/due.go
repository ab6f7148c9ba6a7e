package ledger

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secretsctl/secretsctl/store"
)

// Due is an active value older than its secret's rotate_after.
type Due struct {
	Scenario    string    `json:"scenario"`
	Deployment  string    `json:"deployment"`
	SecretID    string    `json:"secret_id"`
	Fingerprint string    `json:"fingerprint"`
	Since       time.Time `json:"since"`
	RotateAfter string    `json:"rotate_after"`
	// Overdue is how long ago the value should have been rotated.
	Overdue string `json:"overdue"`
	// Event is the ledger file that issued the value.
	Event string `json:"event"`
}

// RotationDue lists the active values of every deployment whose age at now
// exceeds the rotate_after of their secret's metadata, most overdue first.
// Secrets without rotate_after never fall due.
func (r Reader) RotationDue(scenario string) ([]Due, error) {
	r.Mode = Metadata
	deps, err := r.All(scenario)
	if err != nil {
		return nil, err
	}
	out := []Due{}
	for _, d := range deps {
		for _, v := range d.Values {
			if v.Status != store.StatusActive {
				continue
			}
			s := r.Secret(v.SecretID)
			if s == nil || s.RotateAfter == "" {
				continue
			}
			limit, err := ParseAge(s.RotateAfter)
			if err != nil {
				return nil, fmt.Errorf("%s: rotate_after: %w", v.SecretID, err)
			}
			if over := r.Now.Sub(v.Since.Add(limit)); over > 0 {
				out = append(out, Due{Scenario: d.Scenario, Deployment: d.Deployment, SecretID: v.SecretID, Fingerprint: v.Fingerprint,
					Since: v.Since, RotateAfter: s.RotateAfter, Overdue: humanAge(over), Event: v.Event})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Due) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return strings.Compare(a.Deployment+a.SecretID, b.Deployment+b.SecretID)
	})
	return out, nil
}

// humanAge prints a duration in days and hours.
func humanAge(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	if days == 0 {
		return fmt.Sprintf("%dh", hours)
	}
	return fmt.Sprintf("%dd%dh", days, hours)
}
