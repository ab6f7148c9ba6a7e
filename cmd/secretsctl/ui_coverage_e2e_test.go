package main

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"

	"github.com/secretsctl/secretsctl/internal/storetest"
)

// TestUIMatrixWithoutSecrets: a scenario × tier without any secret is its
// own state on the dashboard, "no secrets", counted apart from ready, with
// the same counts `secretsctl coverage` prints.
func TestUIMatrixWithoutSecrets(t *testing.T) {
	dir := storetest.NewExample(t)
	storetest.AddScenarioWithoutSecrets(t, dir)
	base := startUIServer(t, dir)
	ctx, reqs := browser(t)

	do(t, ctx, chromedp.Navigate(base+"/ui/"), waitView("matrix"))
	cell := `td[data-scenario="landing-page"][data-tier="tier-2-desktop"]`
	assert.Equal(t, "no-secrets", attr(t, ctx, cell, "data-state"))
	assert.Equal(t, "○ no secrets", text(t, ctx, cell))
	counts := text(t, ctx, "#counts")
	for _, want := range []string{"6 of 6 scenarios:", "16 ready", "1 blocking", "2 without secrets", "11 not shipped", "205 of 206 secrets strategized (99.5%)"} {
		assert.Contains(t, counts, want)
	}
	assert.Contains(t, text(t, ctx, "#legend"), "shipped without secrets")
	screenshot(t, ctx, "ui-matrix-no-secrets.png")
	reqs.checkOnlyAPI(t, base)
}
