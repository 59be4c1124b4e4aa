package healthcheck

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/gslb"
)

// Metrics share the controller's namespace so one dashboard covers all.
const (
	metricsNamespace = "external_dns"
	metricsSubsystem = "healthcheck"
)

// metrics are the checker's Prometheus series. A nil *metrics records
// nothing, so a Checker without a Registerer needs no branches.
//
// Cardinality: status has one series per running check (forgotten when
// the check stops), so it is bounded by the targets configured; the other
// series are bounded by 3 kinds × 7 results.
type metrics struct {
	status      *prometheus.GaugeVec
	checks      *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	transitions *prometheus.CounterVec
	running     prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		status: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "status",
			Help: "Health of each running check: 1 healthy, 0 unhealthy, -1 unknown (no verdict yet).",
		}, []string{"check", "target", "kind"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "checks_total",
			Help: "Checks run, by kind and result (success, timeout, connect, tls, status, body, error).",
		}, []string{"kind", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "duration_seconds",
			Help:    "Time one check took, connection included, by kind.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"kind"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "transitions_total",
			Help: "Health changes of checks, by the health changed to.",
		}, []string{"to"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "checks_running",
			Help: "Checks currently running.",
		}),
	}
	for _, c := range []prometheus.Collector{m.status, m.checks, m.duration, m.transitions, m.running} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("healthcheck: register metrics: %w", err)
		}
	}
	return m, nil
}

func healthValue(h gslb.Health) float64 {
	switch h {
	case gslb.Healthy:
		return 1
	case gslb.Unhealthy:
		return 0
	}
	return -1
}

// started counts w as running and records its health.
func (m *metrics) started(w *worker) {
	if m == nil {
		return
	}
	m.running.Inc()
	m.set(w, w.state.status.Health)
}

// set records w's health.
func (m *metrics) set(w *worker, h gslb.Health) {
	if m == nil {
		return
	}
	m.status.WithLabelValues(w.id, w.check.Address, string(w.check.Kind)).Set(healthValue(h))
}

// forget drops w's series when it stops.
func (m *metrics) forget(w *worker) {
	if m == nil {
		return
	}
	m.status.DeleteLabelValues(w.id, w.check.Address, string(w.check.Kind))
	m.running.Dec()
}

func (m *metrics) observe(kind gslb.CheckKind, result string, took time.Duration) {
	if m == nil {
		return
	}
	m.checks.WithLabelValues(string(kind), result).Inc()
	m.duration.WithLabelValues(string(kind)).Observe(took.Seconds())
}

func (m *metrics) transition(to gslb.Health) {
	if m == nil {
		return
	}
	m.transitions.WithLabelValues(to.String()).Inc()
}
