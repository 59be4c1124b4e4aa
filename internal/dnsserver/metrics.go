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
	byRcode                            [2][dns.RcodeBadCookie + 1]prometheus.Counter // [tcp][rcode]
	tsig                               *prometheus.CounterVec
	notifyOK, notifyRefused            prometheus.Counter
	rrlLimited, rrlSlipped, rrlDropped prometheus.Counter
	tcpShed                            *prometheus.CounterVec
}

// rcodeName names a response code as the header and OPT carry it. 16 is
// BADVERS there; miekg/dns's table calls it BADSIG, the TSIG error, which
// never appears in the header (a TSIG failure is NOTAUTH).
func rcodeName(rc int) string {
	if rc == dns.RcodeBadVers {
		return "BADVERS"
	}
	if name := dns.RcodeToString[rc]; name != "" {
		return name
	}
	return strconv.Itoa(rc)
}

func newServerMetrics(reg prometheus.Registerer) *serverMetrics {
	if reg == nil {
		return nil
	}
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: name, Help: help})
	}
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "responses_total",
		Help: "DNS responses sent, by transport (udp, tcp) and response code.",
	}, []string{"proto", "rcode"})
	notify := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "notifies_total",
		Help: "NOTIFY messages received, by result (accepted, refused).",
	}, []string{"result"})
	m := &serverMetrics{
		tsig: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "tsig_errors_total",
			Help: "Signed queries refused, by TSIG error (BADKEY, BADSIG, BADTIME).",
		}, []string{"error"}),
		notifyOK: notify.WithLabelValues("accepted"), notifyRefused: notify.WithLabelValues("refused"),
		rrlLimited: counter("rrl_limited_total", "UDP responses over the rate limit (slipped plus dropped)."),
		rrlSlipped: counter("rrl_slipped_total", "Rate-limited UDP responses sent truncated (TC) or as BADCOOKIE, so real clients retry over TCP or with a cookie."),
		rrlDropped: counter("rrl_dropped_total", "Rate-limited UDP responses not sent."),
		tcpShed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "tcp_connections_shed_total",
			Help: "TCP connections closed to protect others, by reason (client_limit, idle_evicted, full).",
		}, []string{"reason"}),
	}
	reg.MustRegister(vec, notify, m.tsig, m.rrlLimited, m.rrlSlipped, m.rrlDropped, m.tcpShed)
	for p, proto := range []string{"udp", "tcp"} {
		for rc := range m.byRcode[p] {
			m.byRcode[p][rc] = vec.WithLabelValues(proto, rcodeName(rc))
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

// responses counts n responses at once.
func (m *serverMetrics) responses(tcp bool, rcode, n int) {
	if m == nil || rcode < 0 || rcode >= len(m.byRcode[0]) {
		return
	}
	p := 0
	if tcp {
		p = 1
	}
	m.byRcode[p][rcode].Add(float64(n))
}

func (m *serverMetrics) tsigError(code int) {
	if m != nil {
		m.tsig.WithLabelValues(dns.RcodeToString[code]).Inc()
	}
}

func (m *serverMetrics) notify(accepted bool) {
	switch {
	case m == nil:
	case accepted:
		m.notifyOK.Inc()
	default:
		m.notifyRefused.Inc()
	}
}

func (m *serverMetrics) rrl(a rrlAction) {
	if m == nil || a == rrlAllow {
		return
	}
	m.rrlLimited.Inc()
	if a == rrlSlip {
		m.rrlSlipped.Inc()
	} else {
		m.rrlDropped.Inc()
	}
}

func (m *serverMetrics) shed(reason string) {
	if m != nil {
		m.tcpShed.WithLabelValues(reason).Inc()
	}
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
