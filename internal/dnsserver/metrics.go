package dnsserver

import (
	"strconv"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics share the controller's namespace so one dashboard covers both.
const (
	metricsNamespace = "external_dns"
	metricsSubsystem = "dnsserver"
)

// serverMetrics count answers. Counters are resolved per label set up front,
// since a label lookup per query would cost more than the lookup itself.
type serverMetrics struct {
	byRcode [2][dns.RcodeBadCookie + 1]prometheus.Counter // [tcp][rcode]
}

func newServerMetrics(reg prometheus.Registerer) *serverMetrics {
	if reg == nil {
		return nil
	}
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "responses_total",
		Help: "DNS responses sent, by transport (udp, tcp) and response code.",
	}, []string{"proto", "rcode"})
	reg.MustRegister(vec)
	m := &serverMetrics{}
	for p, proto := range []string{"udp", "tcp"} {
		for rc := range m.byRcode[p] {
			name := dns.RcodeToString[rc]
			if name == "" {
				name = strconv.Itoa(rc)
			}
			m.byRcode[p][rc] = vec.WithLabelValues(proto, name)
		}
	}
	return m
}

func (m *serverMetrics) response(tcp bool, rcode int) {
	if m == nil || rcode < 0 || rcode >= len(m.byRcode[0]) {
		return
	}
	p := 0
	if tcp {
		p = 1
	}
	m.byRcode[p][rcode].Inc()
}

type authorityMetrics struct {
	applies *prometheus.CounterVec
	records *prometheus.GaugeVec
	serial  *prometheus.GaugeVec
}

func newAuthorityMetrics(reg prometheus.Registerer) *authorityMetrics {
	if reg == nil {
		return nil
	}
	m := &authorityMetrics{
		applies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "applies_total",
			Help: "Change batches applied, by result (success, rejected, error).",
		}, []string{"result"}),
		records: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "zone_records",
			Help: "Resource records served per zone, not counting the synthesized SOA and NS.",
		}, []string{"zone"}),
		serial: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "zone_serial",
			Help: "Current SOA serial per zone.",
		}, []string{"zone"}),
	}
	reg.MustRegister(m.applies, m.records, m.serial)
	return m
}

func (m *authorityMetrics) apply(result string) {
	if m != nil {
		m.applies.WithLabelValues(result).Inc()
	}
}

func (m *authorityMetrics) zone(name string, z *zone) {
	if m != nil {
		m.records.WithLabelValues(name).Set(float64(z.nRecords))
		m.serial.WithLabelValues(name).Set(float64(z.soa.Serial))
	}
}
