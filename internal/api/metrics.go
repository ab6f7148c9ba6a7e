package api

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	cache       *prometheus.CounterVec
	cacheHit    func() prometheus.Counter // made at the first hit, as a miss's
	byRequest   sync.Map                  // requestLabels → *requestMetrics, for the usual methods
	syncs       *prometheus.CounterVec
	lastSync    prometheus.Gauge
	syncedAtRev *prometheus.GaugeVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "secretsctl_http_requests_total",
			Help: "HTTP requests by route, method and status code."}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "secretsctl_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "secretsctl_cache_lookups_total",
			Help: "Answer cache lookups by result (hit or miss)."}, []string{"result"}),
		syncs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "secretsctl_replica_syncs_total",
			Help: "Replica syncs by result (ok or error)."}, []string{"result"}),
		lastSync: prometheus.NewGauge(prometheus.GaugeOpts{Name: "secretsctl_replica_last_sync_timestamp_seconds",
			Help: "Unix time of the last successful replica sync."}),
		syncedAtRev: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "secretsctl_revision_info",
			Help: "1 for the revision HEAD names at the last successful sync."}, []string{"revision"}),
	}
	m.cacheHit = sync.OnceValue(func() prometheus.Counter { return m.cache.WithLabelValues("hit") })
	m.registry.MustRegister(m.requests, m.duration, m.cache, m.syncs, m.lastSync, m.syncedAtRev,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// requestLabels are the labels of one request's metrics.
type requestLabels struct {
	route, method string
	code          int
}

// requestMetrics are the metrics of one set of labels, looked up once.
type requestMetrics struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	l := requestLabels{route, method, status}
	rm, ok := m.byRequest.Load(l)
	if !ok {
		v := &requestMetrics{m.requests.WithLabelValues(route, method, strconv.Itoa(status)), m.duration.WithLabelValues(route)}
		if !commonMethod(method) {
			v.requests.Inc()
			v.duration.Observe(d.Seconds())
			return
		}
		rm, _ = m.byRequest.LoadOrStore(l, v)
	}
	rm.(*requestMetrics).requests.Inc()
	rm.(*requestMetrics).duration.Observe(d.Seconds())
}

// commonMethod reports whether method is one of RFC 9110's, which are worth
// remembering the metrics of (a client may send any token).
func commonMethod(method string) bool {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH":
		return true
	}
	return false
}

func (m *metrics) cacheLookup(hit bool) {
	if hit {
		m.cacheHit().Inc()
	} else {
		m.cache.WithLabelValues("miss").Inc()
	}
}

func (m *metrics) synced(rev string, at time.Time) {
	m.syncs.WithLabelValues("ok").Inc()
	m.lastSync.Set(float64(at.UnixNano()) / 1e9)
	m.syncedAtRev.Reset()
	m.syncedAtRev.WithLabelValues(rev).Set(1)
}
