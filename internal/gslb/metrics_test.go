package gslb

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.Observe(PolicyWeighted, Answer{Sets: []int{0}})
	m.Observe(PolicyWeighted, Answer{Sets: []int{0}})
	m.Observe(PolicyFailover, Answer{Sets: []int{0}, FailOpen: true})
	m.Observe(PolicyGeolocation, Answer{})
	m.Observe(Policy(200), Answer{}) // out of range: ignored, no panic
	if n, err := testutil.GatherAndCount(reg, "external_dns_gslb_answers_total"); err != nil || n != len(policyNames)*len(resultNames) {
		t.Errorf("%d series (%v), want every policy × result up front", n, err)
	}
	if v := testutil.ToFloat64(m.answers[PolicyWeighted][resultAnswered]); v != 2 {
		t.Errorf("weighted answered = %v", v)
	}
	if v := testutil.ToFloat64(m.answers[PolicyFailover][resultFailOpen]); v != 1 {
		t.Errorf("failover fail_open = %v", v)
	}
	if v := testutil.ToFloat64(m.answers[PolicyGeolocation][resultNoData]); v != 1 {
		t.Errorf("geolocation nodata = %v", v)
	}
	if _, err := NewMetrics(reg); err == nil {
		t.Error("second registration succeeded")
	}
	var none *Metrics
	none.Observe(PolicyWeighted, Answer{}) // nil is a no-op
	if m, err := NewMetrics(nil); m != nil || err != nil {
		t.Errorf("NewMetrics(nil) = %v, %v", m, err)
	}
}
