package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/secretsctl/secretsctl/store"
)

// BlockingSecret is one secret that blocks a plan, as a 409 plan_blocked
// answer and readiness list it.
type BlockingSecret struct {
	// ID is the secret's id, "resource/KEY".
	ID string `json:"id"`
	// Required is the secret's required flag: a required blocking secret
	// blocks the bundle; an optional one only stays out of it.
	Required bool `json:"required"`
	// Code is the lint rule the secret breaks (missing-strategy, …).
	Code   string `json:"code"`
	Reason string `json:"reason"`
	owner  string
}

// blockingOf lists m's blocking secrets with their required flags, in the
// summary's order. Call it before [narrow], which drops secrets.
func blockingOf(m *store.Manifest) []BlockingSecret {
	out := make([]BlockingSecret, 0, len(m.Summary.BlockingSecretDetails))
	for _, d := range m.Summary.BlockingSecretDetails {
		b := BlockingSecret{ID: d.Resource + "/" + d.Secret, Code: d.Code, Reason: d.Reason, owner: d.Resource}
		for _, ms := range m.Secrets {
			if ms.ResourceName == d.Resource && ms.SecretKey == d.Secret {
				b.Required = ms.Required
				break
			}
		}
		out = append(out, b)
	}
	return out
}

// blockedBy returns the required secrets of blocking that the request
// covers: all of them, or with a resources filter those of the named
// resources and of the scenario itself. A bundle cannot be assembled
// without them, so the deployment route answers 409 when there are any.
func blockedBy(blocking []BlockingSecret, scenario string, resources []string) []BlockingSecret {
	var out []BlockingSecret
	for _, b := range blocking {
		if b.Required && (len(resources) == 0 || b.owner == scenario || slices.Contains(resources, b.owner)) {
			out = append(out, b)
		}
	}
	return out
}

// planBlocked is the 409 answer of the deployment route: it names every
// required blocking secret, so that deployment-manager's bundle assembly
// fails with a message a person can act on.
func planBlocked(m *store.Manifest, required, blocking []BlockingSecret) *httpError {
	names := make([]string, len(required))
	for i, b := range required {
		names[i] = b.ID + " (" + b.Code + ": " + b.Reason + ")"
	}
	what, verb, it := "secret", "blocks", "it"
	if len(required) > 1 {
		what, verb, it = "secrets", "block", "them"
	}
	e := errf(http.StatusConflict, "plan_blocked",
		"%s cannot be bundled for %s: required %s %s %s the plan; give %s a strategy for the tier, or pass allow_blocking=true to see the manifest",
		m.Scenario, m.TierID, what, strings.Join(names, ", "), verb, it)
	sum := m.Summary
	e.body.Summary = &sum
	e.body.Blocking = blocking
	return e
}

// previewManifest is the seed route's answer: the manifest, with
// "blocked": true at the top level when a required secret blocks (when
// the deployment route would answer 409). Without one, its bytes are the
// plan's.
type previewManifest struct {
	*store.Manifest
	Blocked bool `json:"blocked,omitempty"`
}
