package peering

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	transfers *prometheus.CounterVec
	notifies  *prometheus.CounterVec
	records   *prometheus.GaugeVec
	lastPull  *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	const ns, sub = "external_dns", "peering"
	m := &metrics{
		transfers: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "pulls_total",
			Help: "Pulls of a peer's records (SOA check, then a transfer when it changed), by peer and result."}, []string{"peer", "result"}),
		notifies: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "notifies_total",
			Help: "NOTIFY messages sent to a peer, by peer and result."}, []string{"peer", "result"}),
		records: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "records",
			Help: "Record sets held from a peer."}, []string{"peer"}),
		lastPull: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "last_pull_timestamp_seconds",
			Help: "When a peer last answered a pull."}, []string{"peer"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.transfers, m.notifies, m.records, m.lastPull} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}
