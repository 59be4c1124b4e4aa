//go:build integration

package k8s

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/kubereport"
)

// metricValue sums the samples of a metric family on a registry.
func metricValue(t *testing.T, p *pipeline, name string) float64 {
	t.Helper()
	fams, err := p.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetCounter() != nil {
				sum += m.GetCounter().GetValue()
			}
			if m.GetGauge() != nil {
				sum += m.GetGauge().GetValue()
			}
		}
	}
	return sum
}

// TestInvalidAnnotation: a typo in a live Service's annotation is reported
// (Event, metric) and freezes that Service's records; nothing is deleted,
// and other Services carry on.
func TestInvalidAnnotation(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"service"}})
	p.start(t, ctx)

	if _, err := c.CoreV1().Services(ns).Create(ctx, loadBalancer(ns, "live", map[string]string{pfx + "hostname": "live.example.com"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setLoadBalancerIP(t, c, ns, "live", "203.0.113.1")
	hasRecord(t, p.Provider, 5*time.Second, "live.example.com", "live.example.com A 203.0.113.1")
	before := metricValue(t, p, "external_dns_source_invalid_inputs_total")

	// The typo comes with a new address: neither may reach DNS, and the
	// live record must not be deleted either.
	updateService(t, c, ns, "live", func(s *corev1.Service) { s.Annotations[pfx+"ttl"] = "soon" })
	setLoadBalancerIP(t, c, ns, "live", "203.0.113.2")
	if _, err := c.CoreV1().Services(ns).Create(ctx, loadBalancer(ns, "other", map[string]string{pfx + "hostname": "other.example.com"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setLoadBalancerIP(t, c, ns, "other", "203.0.113.3")
	hasRecord(t, p.Provider, 5*time.Second, "other.example.com", "other.example.com A 203.0.113.3")

	findEvent(t, c, ns, "live", kubereport.ReasonInvalidInput, `ttl "soon"`)
	if after := metricValue(t, p, "external_dns_source_invalid_inputs_total"); after <= before {
		t.Errorf("external_dns_source_invalid_inputs_total %v, was %v", after, before)
	}
	if got := metricValue(t, p, "external_dns_source_invalid_endpoints"); got < 1 {
		t.Errorf("external_dns_source_invalid_endpoints = %v", got)
	}
	hasRecord(t, p.Provider, time.Second, "live.example.com", "live.example.com A 203.0.113.1")
	if got := about(records(t, p.Provider), "live.example.com"); len(got) != 2 {
		t.Errorf("record or its ownership lost: %q", got)
	}

	// Fixing the typo lets the new address through.
	updateService(t, c, ns, "live", func(s *corev1.Service) { s.Annotations[pfx+"ttl"] = "60" })
	hasRecord(t, p.Provider, 5*time.Second, "live.example.com", "live.example.com A 203.0.113.2")
}
