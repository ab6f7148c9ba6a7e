package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// Kinds of manifest answer (see [Server.manifest]).
const (
	// kindBundle is what deployment-manager assembles a bundle from: 409
	// plan_blocked when a required secret blocks, unless allow_blocking.
	kindBundle = "bundle"
	// kindPreview is the seed route's: always 200, with "blocked": true
	// when the bundle route would refuse.
	kindPreview = "preview"
	// kindPlan is the plain manifest, for display.
	kindPlan      = "plan"
	kindReadiness = "readiness"
)

// seedManifest is GET /deployment/secrets?scenario=&tier=: the manifest, the
// same bytes as `secretsctl plan --format json` (plus "blocked": true when a
// required secret blocks).
func (s *Server) seedManifest(c *gin.Context) {
	req, err := queryRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.manifest(c, req, kindPreview)
}

// getManifest is GET /api/v1/deployment/secrets/{scenario}?tier=&include_optional=&allow_blocking=.
func (s *Server) getManifest(c *gin.Context) {
	req, err := queryRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	req.Scenario = c.Param("scenario")
	s.manifest(c, req, kindBundle)
}

// planAlias is GET /api/v1/plans/{scenario}/{tier}: the manifest again.
func (s *Server) planAlias(c *gin.Context) {
	req := &manifestRequest{Scenario: c.Param("scenario"), Tier: c.Param("tier"), Rev: c.Query("rev")}
	s.manifest(c, req, kindPlan)
}

// postManifest is POST /api/v1/deployment/secrets with {"scenario", "tier",
// "resources", "include_optional", "allow_blocking"}.
func (s *Server) postManifest(c *gin.Context) {
	req, err := bodyRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.manifest(c, req, kindBundle)
}

// postReadiness is POST /api/v1/deployment/readiness: the manifest's
// summary.
func (s *Server) postReadiness(c *gin.Context) {
	req, err := bodyRequest(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.manifest(c, req, kindReadiness)
}

// queryRequest reads a manifest request from the query; the caller sets
// Scenario when the path has it.
func queryRequest(c *gin.Context) (*manifestRequest, error) {
	req := &manifestRequest{Scenario: c.Query("scenario"), Tier: c.Query("tier"), Rev: c.Query("rev")}
	opt, err := parseBool("include_optional", c.Query("include_optional"), true)
	if err != nil {
		return nil, err
	}
	req.IncludeOptional = &opt
	if req.AllowBlocking, err = parseBool("allow_blocking", c.Query("allow_blocking"), false); err != nil {
		return nil, err
	}
	return req, nil
}

func bodyRequest(c *gin.Context) (*manifestRequest, error) {
	var req manifestRequest
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, err
		}
		if errors.Is(err, io.EOF) {
			return nil, errf(http.StatusBadRequest, "invalid_body", "the body is empty: want a JSON object with scenario and tier")
		}
		return nil, errf(http.StatusBadRequest, "invalid_body", "the body is not a JSON object with scenario and tier (%s)", jsonProblem(err))
	}
	if req.Rev == "" {
		req.Rev = c.Query("rev")
	}
	if !req.AllowBlocking {
		allow, err := parseBool("allow_blocking", c.Query("allow_blocking"), false)
		if err != nil {
			return nil, err
		}
		req.AllowBlocking = allow
	}
	return &req, nil
}

// jsonProblem describes a decoding error without quoting the input.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "syntax error at byte " + strconv.FormatInt(syn.Offset, 10)
	case errors.As(err, &typ):
		return "field " + typ.Field + " has the wrong type"
	}
	return "malformed JSON"
}

// manifest answers a manifest request with the manifest or its readiness
// summary, by kind (kindBundle, kindPreview, kindPlan, kindReadiness).
func (s *Server) manifest(c *gin.Context, req *manifestRequest, kind string) {
	if err := req.check(); err != nil {
		s.fail(c, err)
		return
	}
	sn, err := s.snapshot(c, req.Rev)
	if err != nil {
		s.fail(c, err)
		return
	}
	tier, err := sn.Tiers().Resolve(req.Tier)
	if err != nil {
		s.fail(c, err)
		return
	}
	var resources []string
	if len(req.Resources) > 0 {
		resources = slices.Clone(req.Resources)
		slices.Sort(resources)
		resources = slices.Compact(resources)
	}
	scenario, tierID, optional := req.Scenario, tier.ID, req.includeOptional()
	// The key, built on the stack: a cached answer costs no allocation here.
	var buf [256]byte
	allow := req.AllowBlocking && kind == kindBundle
	key := cacheKey(buf[:0], sn.Revision, kind, scenario, tierID, strconv.FormatBool(optional), strconv.FormatBool(allow), "")
	for i, r := range resources {
		if i > 0 {
			key = append(key, ',')
		}
		key = append(key, r...)
	}
	if s.hit(c, key) {
		return
	}
	s.miss(c, sn, string(key), func() (any, error) {
		m, err := plan.ForSnapshot(sn, scenario, tierID)
		if err != nil {
			return nil, err
		}
		blocking := blockingOf(m)
		if err := narrow(m, resources, optional); err != nil {
			return nil, err
		}
		return answer(m, kind, allow, blocking, blockedBy(blocking, scenario, resources))
	})
}

// answer is the body of a manifest request of kind, from the narrowed
// manifest, its blocking secrets and the required ones among them.
func answer(m *store.Manifest, kind string, allow bool, blocking, required []BlockingSecret) (any, error) {
	switch kind {
	case kindReadiness:
		return readinessOf(m, blocking, len(required) > 0), nil
	case kindPreview:
		return previewManifest{Manifest: m, Blocked: len(required) > 0}, nil
	case kindBundle:
		if len(required) > 0 && !allow {
			return nil, planBlocked(m, required, blocking)
		}
	}
	return m, nil
}

// narrow keeps only the secrets of the named resources (and the scenario's
// own) and, without optional ones, only required secrets. The summary still
// counts the full set, as in the original service.
func narrow(m *store.Manifest, resources []string, optional bool) error {
	for _, r := range resources {
		if !slices.Contains(m.Resources, r) {
			e := errf(http.StatusBadRequest, "unknown_resource", "resource %q is not used by scenario %q", r, m.Scenario)
			e.body.Valid = m.Resources
			return e
		}
	}
	if len(resources) == 0 && optional {
		return nil
	}
	keep := func(owner string, required bool) bool {
		if !optional && !required {
			return false
		}
		return len(resources) == 0 || owner == m.Scenario || slices.Contains(resources, owner)
	}
	m.Secrets = slices.DeleteFunc(m.Secrets, func(ms store.ManifestSecret) bool { return !keep(ms.ResourceName, ms.Required) })
	m.BundleSecrets = slices.DeleteFunc(m.BundleSecrets, func(bs store.BundleSecret) bool {
		owner, _, _ := strings.Cut(bs.ID, "/")
		return !keep(owner, bs.Required)
	})
	if len(resources) > 0 {
		m.Resources = resources
	}
	return nil
}

// Readiness is the answer of POST /api/v1/deployment/readiness.
type Readiness struct {
	Scenario    string        `json:"scenario"`
	Tier        string        `json:"tier"`
	Revision    string        `json:"revision"`
	Resources   []string      `json:"resources"`
	Summary     store.Summary `json:"summary"`
	GeneratedAt time.Time     `json:"generated_at"`
	// Ready is true when no secret blocks the plan (when `secretsctl plan`
	// exits 0).
	Ready bool `json:"ready"`
	// Blocked is true when a required secret blocks the plan: the bundle
	// cannot be assembled, and the deployment route answers 409.
	Blocked bool `json:"blocked"`
	// Blocking lists every blocking secret, required or not.
	Blocking []BlockingSecret `json:"blocking"`
}

func readinessOf(m *store.Manifest, blocking []BlockingSecret, blocked bool) Readiness {
	return Readiness{Scenario: m.Scenario, Tier: m.TierID, Revision: m.Revision, Resources: m.Resources,
		Summary: m.Summary, GeneratedAt: m.GeneratedAt, Ready: len(blocking) == 0, Blocked: blocked, Blocking: blocking}
}
