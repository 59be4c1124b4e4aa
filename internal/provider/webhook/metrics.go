package webhook

import "github.com/prometheus/client_golang/prometheus"

// metrics keep upstream's names, so its dashboards keep working.
type metrics struct {
	recordsErrors, applyErrors, adjustErrors prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	g := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "external_dns", Subsystem: "webhook_provider", Name: name, Help: help})
	}
	m := &metrics{
		recordsErrors: g("records_errors", "Failed GET /records requests (after retries)."),
		applyErrors:   g("applychanges_errors", "Failed POST /records requests (after retries)."),
		adjustErrors:  g("adjustendpointsgauge_errors", "Failed POST /adjustendpoints requests (after retries)."),
	}
	if reg != nil {
		reg.MustRegister(m.recordsErrors, m.applyErrors, m.adjustErrors)
	}
	return m
}
