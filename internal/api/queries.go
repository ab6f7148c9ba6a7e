package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/secretsctl/secretsctl/internal/coverage"
	"github.com/secretsctl/secretsctl/internal/gaps"
	"github.com/secretsctl/secretsctl/internal/ledger"
	"github.com/secretsctl/secretsctl/internal/plan"
	"github.com/secretsctl/secretsctl/store"
)

// ScenarioSummary is one scenario in GET /api/v1/scenarios.
type ScenarioSummary struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tiers       []string `json:"tiers"`
	Resources   []string `json:"resources"`
	Secrets     int      `json:"own_secrets"`
}

// scenarios is GET /api/v1/scenarios.
func (s *Server) scenarios(c *gin.Context) {
	sn, ok := s.read(c)
	if !ok {
		return
	}
	s.cached(c, sn, "scenarios", func() (any, error) {
		out := []ScenarioSummary{}
		for _, name := range sn.ScenarioNames() {
			sc, err := sn.Scenario(name)
			if err != nil {
				return nil, err
			}
			sum := ScenarioSummary{Name: sc.Name, Description: sc.Description, Tiers: shipped(sn, sc),
				Resources: []string{}, Secrets: len(sc.Secrets)}
			for _, r := range sc.Resources {
				sum.Resources = append(sum.Resources, r.Name)
			}
			out = append(out, sum)
		}
		return map[string]any{"revision": sn.Revision, "scenarios": out}, nil
	})
}

// scenario is GET /api/v1/scenarios/{name}: the scenario document (metadata
// only; a store document holds no value) and the tiers it ships to.
func (s *Server) scenario(c *gin.Context) {
	name := c.Param("name")
	if err := checkName("name", name); err != nil {
		s.fail(c, err)
		return
	}
	sn, ok := s.read(c)
	if !ok {
		return
	}
	s.cached(c, sn, "scenario\x00"+name, func() (any, error) {
		sc, err := sn.Scenario(name)
		if err != nil {
			return nil, err
		}
		return map[string]any{"revision": sn.Revision, "scenario": sc, "shipped_tiers": shipped(sn, sc)}, nil
	})
}

func shipped(sn *store.Snapshot, sc *store.Scenario) []string {
	out := []string{}
	for _, t := range plan.ShippedTiers(sn.Tiers(), sc) {
		out = append(out, t.ID)
	}
	return out
}

// tiers is GET /api/v1/tiers.
func (s *Server) tiers(c *gin.Context) {
	sn, ok := s.read(c)
	if !ok {
		return
	}
	s.cached(c, sn, "tiers", func() (any, error) {
		return map[string]any{"revision": sn.Revision, "tiers": sn.Tiers().Tiers()}, nil
	})
}

// resources is GET /api/v1/resources: every resource document.
func (s *Server) resources(c *gin.Context) {
	sn, ok := s.read(c)
	if !ok {
		return
	}
	s.cached(c, sn, "resources", func() (any, error) {
		out := []*store.Resource{}
		for _, name := range sn.ResourceNames() {
			r, err := sn.Resource(name)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return map[string]any{"revision": sn.Revision, "resources": out}, nil
	})
}

// coverage is GET /api/v1/coverage?scenario=&tier=: the scenario × tier
// matrix of `secretsctl coverage --format json`.
func (s *Server) coverage(c *gin.Context) {
	s.pairs(c, "coverage", func(sn *store.Snapshot, _ []plan.Pair) (any, error) {
		return coverage.Compute(c.Request.Context(), sn, c.Query("scenario"), c.Query("tier"))
	})
}

// Warm computes the answer a dashboard asks for first — the whole coverage
// matrix at HEAD, the same body GET /api/v1/coverage returns — into the
// answer cache, so the first page load does not pay for planning every
// scenario × tier. serve runs it in the background when it starts.
func (s *Server) Warm(ctx context.Context) error {
	sn, err := s.snapshotAt("")
	if err != nil {
		return err
	}
	_, err = s.fill(sn.Revision+"\x00"+pairsKey("coverage", "", ""), sn.Revision, func() (any, error) {
		return coverage.Compute(ctx, sn, "", "")
	})
	return err
}

// pairsKey is the cache key of a query over scenario × tier pairs.
func pairsKey(kind, scenario, tier string) string {
	return kind + "\x00" + scenario + "\x00" + tier
}

// gaps is GET /api/v1/gaps?scenario=&tier=: the tasks of `secretsctl gaps`.
func (s *Server) gaps(c *gin.Context) {
	s.pairs(c, "gaps", func(sn *store.Snapshot, pairs []plan.Pair) (any, error) {
		return gaps.Find(c.Request.Context(), sn, pairs)
	})
}

// pairs answers a query over every scenario × tier, optionally narrowed by
// ?scenario= and ?tier=.
func (s *Server) pairs(c *gin.Context, kind string, compute func(*store.Snapshot, []plan.Pair) (any, error)) {
	scenario, tier := c.Query("scenario"), c.Query("tier")
	if scenario != "" {
		if err := checkName("scenario", scenario); err != nil {
			s.fail(c, err)
			return
		}
	}
	if err := checkTier(tier, false); err != nil {
		s.fail(c, err)
		return
	}
	sn, ok := s.read(c)
	if !ok {
		return
	}
	if tier != "" {
		t, err := sn.Tiers().Resolve(tier)
		if err != nil {
			s.fail(c, err)
			return
		}
		tier = t.ID
	}
	s.cached(c, sn, pairsKey(kind, scenario, tier), func() (any, error) {
		pairs, err := plan.Pairs(c.Request.Context(), sn, scenario, tier)
		if err != nil {
			return nil, err
		}
		return compute(sn, pairs)
	})
}

// revisions is GET /api/v1/revisions: HEAD, branches and tags.
func (s *Server) revisions(c *gin.Context) {
	st := s.current()
	if st == nil {
		s.fail(c, errNotReady)
		return
	}
	refs, err := st.Refs()
	if err != nil {
		s.fail(c, err)
		return
	}
	noteRevision(c, refs.Head.Hash)
	s.uncached(c, refs.Head.Hash, refs)
}

// planDiff is GET /api/v1/plan-diff?base=REV&head=REV: what `secretsctl
// plan diff --format json` prints.
func (s *Server) planDiff(c *gin.Context) {
	base, head := c.Query("base"), c.Query("head")
	if base == "" {
		s.fail(c, errf(http.StatusBadRequest, "missing_parameter", "base is required (a commit, tag or branch)"))
		return
	}
	for _, p := range [][2]string{{"base", base}, {"head", head}} {
		if err := checkRev(p[0], p[1]); err != nil {
			s.fail(c, err)
			return
		}
	}
	b, err := s.snapshot(c, base)
	if err != nil {
		s.fail(c, err)
		return
	}
	h, err := s.snapshot(c, head)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.cached(c, h, "plan-diff\x00"+b.Revision, func() (any, error) {
		return plan.DiffSnapshots(c.Request.Context(), b, h)
	})
}

// read is the snapshot of ?rev=, or false after answering with the error.
func (s *Server) read(c *gin.Context) (*store.Snapshot, bool) {
	sn, err := s.snapshot(c, c.Query("rev"))
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return sn, true
}

// deployments is GET /api/v1/deployments: every deployment of the ledger
// (of one scenario with ?scenario=) at a glance, from the ledger's clear
// metadata, verified when the server holds the key — never a value or a
// fingerprint. Statuses depend on the time
// (a previous value becomes superseded after its grace period), so the
// answer is computed for each request.
func (s *Server) deployments(c *gin.Context) {
	scenario := c.Query("scenario")
	if scenario != "" {
		if err := checkName("scenario", scenario); err != nil {
			s.fail(c, err)
			return
		}
	}
	sn, ok := s.read(c)
	if !ok {
		return
	}
	// The ledger branch moves while the policy revision stays: a cached
	// snapshot would keep the ledger it first read.
	sn, err := sn.Store().Snapshot(store.ReadOptions{Rev: sn.Revision, AllowUnverified: s.opts.AllowUnverified})
	if err == nil {
		err = sn.CheckLedger()
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	deps, err := s.ledgerDeployments(sn, scenario)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.uncached(c, sn.Revision, map[string]any{"revision": sn.Revision, "deployments": ledger.Summaries(deps)})
}

// ledgerDeployments derives the deployments of the ledger (of one scenario
// when set) from its clear metadata. A server that holds the private key
// also verifies every event's fingerprints, once per ledger commit: a forged
// event is an integrity error, not a summary.
func (s *Server) ledgerDeployments(sn *store.Snapshot, scenario string) ([]*ledger.Deployment, error) {
	r := ledger.Reader{Snapshot: sn, Mode: ledger.Metadata, Now: time.Now().UTC()}
	rev, err := sn.LedgerRevision()
	if err != nil || !ledger.CanVerify(sn) {
		return r.All(scenario)
	}
	key := rev + "\x00" + scenario
	if checked, ok := s.ledgerChecked.Load(key); ok {
		if checked != nil {
			return nil, checked.(error)
		}
		return r.All(scenario)
	}
	r.Verify = true
	deps, err := r.All(scenario)
	var integrity *store.IntegrityError
	switch {
	case err == nil && rev != "":
		s.ledgerChecked.Store(key, nil)
	case errors.As(err, &integrity) && rev != "":
		s.ledgerChecked.Store(key, err)
	}
	return deps, err
}
