package gslb

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts routed answers for the DNS server, which calls Observe
// after each Select. Select itself records nothing, to stay pure.
//
// Counters are resolved per label pair up front: a label lookup per query
// would cost about as much as the selection.
type Metrics struct {
	answers [len(policyNames)][3]prometheus.Counter
}

// Answer outcomes, the values of the result label.
const (
	resultAnswered = iota // healthy targets answered
	resultFailOpen        // every candidate unhealthy: answered anyway
	resultNoData          // geolocation without a match or a default
)

var resultNames = [...]string{"answered", "fail_open", "nodata"}

// NewMetrics registers external_dns_gslb_answers_total{policy,result} on
// reg. A nil reg gives a nil *Metrics, whose Observe does nothing.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, nil
	}
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "external_dns", Subsystem: "gslb", Name: "answers_total",
		Help: "Routed answers, by routing policy and result (answered, fail_open: every candidate unhealthy, nodata: no geolocation match).",
	}, []string{"policy", "result"})
	if err := reg.Register(vec); err != nil {
		return nil, fmt.Errorf("gslb: register metrics: %w", err)
	}
	m := &Metrics{}
	for p, pn := range policyNames {
		for r, rn := range resultNames {
			m.answers[p][r] = vec.WithLabelValues(pn, rn)
		}
	}
	return m, nil
}

// Observe counts one answer of a name routed by policy.
func (m *Metrics) Observe(policy Policy, a Answer) {
	if m == nil || int(policy) >= len(m.answers) {
		return
	}
	r := resultAnswered
	switch {
	case len(a.Sets) == 0:
		r = resultNoData
	case a.FailOpen:
		r = resultFailOpen
	}
	m.answers[policy][r].Inc()
}
