package route53

import "github.com/prometheus/client_golang/prometheus"

// metrics are the provider's own; see README.md. Names follow upstream's
// namespace so dashboards find them next to the controller's.
type metrics struct {
	calls     *prometheus.CounterVec // account, operation, result
	throttled *prometheus.CounterVec // account
	rate      *prometheus.GaugeVec   // account
	changes   *prometheus.CounterVec // result
	resyncs   *prometheus.CounterVec // zone
	records   *prometheus.GaugeVec   // zone
	invalid   prometheus.Gauge
	// The health checks exodns manages (hcowned.go).
	checks       *prometheus.GaugeVec   // account
	checkChanges *prometheus.CounterVec // action, result
}

func newMetrics(reg prometheus.Registerer) *metrics {
	const ns, sub = "external_dns", "route53"
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "api_calls_total",
			Help: "Route 53 API calls, by account, operation and result (ok, throttled, error)."}, []string{"account", "operation", "result"}),
		throttled: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "throttled_total",
			Help: "Route 53 calls answered with Throttling or PriorRequestNotComplete, by account."}, []string{"account"}),
		rate: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "request_rate_limit",
			Help: "Requests per second the client currently allows itself, by account (lowered after throttling)."}, []string{"account"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "record_changes_total",
			Help: "Record set changes sent, by result (applied, failed)."}, []string{"result"}),
		resyncs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "zone_resyncs_total",
			Help: "Full listings of a zone's records, by zone."}, []string{"zone"}),
		records: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "cached_record_sets",
			Help: "Record sets held in the provider's cache, by zone."}, []string{"zone"}),
		invalid: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "refused_endpoints",
			Help: "Desired endpoints refused by the last validation (held, not sent to AWS)."}),
		checks: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "managed_health_checks",
			Help: "Health checks exodns manages (tagged with its owner ID), by account, as last known."}, []string{"account"}),
		checkChanges: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "health_check_changes_total",
			Help: "Health checks created and deleted, by action (create, delete) and result (applied, failed)."}, []string{"action", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.calls, m.throttled, m.rate, m.changes, m.resyncs, m.records, m.invalid, m.checks, m.checkChanges)
	}
	return m
}
