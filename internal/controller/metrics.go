package controller

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics keep upstream's names (namespace external_dns) so users' dashboards
// and alerts keep working after the switch. They are registered on the
// registry handed in, never on the global one.
type Metrics struct {
	lastSync          prometheus.Gauge
	lastReconcile     prometheus.Gauge
	consecutiveErrors prometheus.Gauge
	noOpRuns          prometheus.Counter
	reconciles        *prometheus.CounterVec
	reconcileSeconds  prometheus.Histogram
	changes           *prometheus.CounterVec
	conflicts         prometheus.Gauge
	sourceEndpoints   prometheus.Gauge
	sourceErrors      prometheus.Counter
	sourceRecords     *prometheus.GaugeVec
	invalidEndpoints  prometheus.Gauge
	invalidInputs     *prometheus.CounterVec
	registryEndpoints prometheus.Gauge
	registryErrors    prometheus.Counter
	registryRecords   *prometheus.GaugeVec
	reports           *prometheus.GaugeVec
	reportsTotal      *prometheus.CounterVec
	retries           prometheus.Counter
	runs              *prometheus.CounterVec
	leader            prometheus.Gauge
}

const ns = "external_dns"

// NewMetrics creates the controller's metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		lastSync: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "controller",
			Name: "last_sync_timestamp_seconds", Help: "Time of the last successful sync with the DNS provider."}),
		lastReconcile: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "controller",
			Name: "last_reconcile_timestamp_seconds", Help: "Time of the last reconcile attempt, successful or not."}),
		consecutiveErrors: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "controller",
			Name: "consecutive_soft_errors", Help: "Reconciles that failed in a row; zero after a success."}),
		noOpRuns: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "controller",
			Name: "no_op_runs_total", Help: "Reconciles that found nothing to change."}),
		reconciles: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "controller",
			Name: "reconciles_total", Help: "Reconciles by result (success, error)."}, []string{"result"}),
		reconcileSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: "controller",
			Name: "reconcile_duration_seconds", Help: "Time one reconcile takes, end to end.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "controller",
			Name: "changes_total", Help: "Record changes applied, by action (create, update, delete)."}, []string{"action"}),
		conflicts: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "controller",
			Name: "conflicts", Help: "Records claimed by more than one object, or blocked by another owner, in the last plan."}),
		sourceEndpoints: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "source",
			Name: "endpoints_total", Help: "Endpoints the sources asked for in the last reconcile."}),
		sourceErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "source",
			Name: "errors_total", Help: "Failures reading the sources."}),
		sourceRecords: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: "source",
			Name: "records", Help: "Desired records by type."}, []string{"record_type"}),
		invalidEndpoints: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "source",
			Name: "invalid_endpoints", Help: "Invalid inputs standing now: each holds its names until fixed."}),
		invalidInputs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "source",
			Name: "invalid_inputs_total", Help: "Invalid inputs reported, by object kind."}, []string{"kind"}),
		registryEndpoints: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "registry",
			Name: "endpoints_total", Help: "Records the registry reported in the last reconcile."}),
		registryErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "registry",
			Name: "errors_total", Help: "Failures reading or writing the registry and provider."}),
		registryRecords: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: "registry",
			Name: "records", Help: "Current records by type."}, []string{"record_type"}),
		reports: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: "controller",
			Name: "reports", Help: "Reports standing now, by reason (InvalidInput, ProviderRefused, RecordContested, NoRecords): names held or objects without records."}, []string{"reason"}),
		reportsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "controller",
			Name: "reports_total", Help: "Reports made, by reason; a report standing over many reconciles counts once."}, []string{"reason"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "controller",
			Name: "is_leader", Help: "1 while this replica writes what replicas share (Events, status, a cloud provider's records), else 0."}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "controller",
			Name: "reconcile_runs_total", Help: "Reconciles by kind: full (every source and the zone read) or incremental (only the changed objects' names planned)."}, []string{"kind"}),
		retries: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: "controller",
			Name: "retries_total", Help: "Reconciles run early, with backoff, after a failed one."}),
	}
	reg.MustRegister(m.lastSync, m.lastReconcile, m.consecutiveErrors, m.noOpRuns, m.reconciles,
		m.reconcileSeconds, m.changes, m.conflicts, m.sourceEndpoints, m.sourceErrors, m.sourceRecords,
		m.invalidEndpoints, m.invalidInputs, m.registryEndpoints, m.registryErrors, m.registryRecords,
		m.reports, m.reportsTotal, m.retries, m.runs, m.leader)
	return m
}

// SetLeading records whether this replica leads.
func (m *Metrics) SetLeading(leading bool) {
	if leading {
		m.leader.Set(1)
	} else {
		m.leader.Set(0)
	}
}
