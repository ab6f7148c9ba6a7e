package main

import (
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkUIMatrixLarge loads the dashboard's matrix of a large store in
// headless Chromium: each iteration opens /ui/ in a new tab of the same
// browser (assets and API answers revalidated with the server) and waits
// until the matrix is drawn. The store is $SECRETSCTL_BENCH_STORE, made by
// scripts/bench-ui.sh with internal/cmds/genstore (1,000 scenarios); the
// server's cache is warmed by one request first, which is reported as
// cold-ms. ms/load is navigation to drawn matrix as the page measures it
// (performance.now()).
func BenchmarkUIMatrixLarge(b *testing.B) {
	dir := os.Getenv("SECRETSCTL_BENCH_STORE")
	if dir == "" {
		b.Skip("set SECRETSCTL_BENCH_STORE to a generated store (scripts/bench-ui.sh does)")
	}
	base := startUIServer(b, dir)
	start := time.Now()
	res, err := http.Get(base + "/api/v1/coverage")
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("warm the coverage cache: %v %v", err, res)
	}
	res.Body.Close()
	cold := time.Since(start)

	ctx, _ := browser(b)
	var pageMs []float64
	b.ResetTimer()
	for b.Loop() {
		tab, cancel := chromedp.NewContext(ctx)
		err := chromedp.Do(tab, chromedp.Navigate(base+"/ui/"), waitView("matrix"))
		if err != nil {
			cancel()
			b.Fatal(err)
		}
		ms, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('view').dataset.ms`))
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		v, err := strconv.ParseFloat(ms, 64)
		if err != nil {
			b.Fatal(err)
		}
		pageMs = append(pageMs, v)
	}
	b.StopTimer()
	slices.Sort(pageMs)
	b.ReportMetric(pageMs[len(pageMs)/2], "ms/load")
	b.ReportMetric(pageMs[len(pageMs)-1], "max-ms/load")
	b.ReportMetric(float64(cold.Milliseconds()), "cold-ms")
}
