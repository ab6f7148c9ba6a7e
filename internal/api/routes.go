package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

//go:embed openapi.json
var openAPI []byte

// routes registers every API route. openapi.json lists the same ones.
func (s *Server) routes(r *gin.Engine) {
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})))
	r.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPI) })

	r.GET("/deployment/secrets", s.seedManifest)
	v1 := r.Group("/api/v1")
	v1.GET("/deployment/secrets/:scenario", s.getManifest)
	v1.POST("/deployment/secrets", s.postManifest)
	v1.POST("/deployment/readiness", s.postReadiness)
	v1.GET("/plans/:scenario/:tier", s.planAlias)
	v1.GET("/plan-diff", s.planDiff)
	v1.GET("/scenarios", s.scenarios)
	v1.GET("/scenarios/:name", s.scenario)
	v1.GET("/tiers", s.tiers)
	v1.GET("/resources", s.resources)
	v1.GET("/coverage", s.coverage)
	v1.GET("/gaps", s.gaps)
	v1.GET("/revisions", s.revisions)
	v1.GET("/deployments", s.deployments)
}
