//go:build integration

package k8s

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/provider/inmemory"
)

// TestTwoOwnersShareAZone: two controllers with different --txt-owner-id
// publish weighted records of one name into one zone. Each keeps to its
// own record sets, and once converged neither changes anything.
func TestTwoOwnersShareAZone(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	shared := newProvider(t)
	type side struct {
		ns, owner, set, weight, ip, only string
		p                                *pipeline
	}
	sides := []*side{
		{owner: "cluster-a", set: "a", weight: "10", ip: "203.0.113.10", only: "a-only.example.com"},
		{owner: "cluster-b", set: "b", weight: "90", ip: "203.0.113.20", only: "b-only.example.com"},
	}
	for _, s := range sides {
		s.ns = newNamespace(t, c)
		s.p = newPipeline(t, ctx, pipelineConfig{Namespace: s.ns, Owner: s.owner, Provider: shared, Sources: []string{"service"}})
		svc := loadBalancer(s.ns, "web", map[string]string{
			pfx + "hostname":       "weighted.example.com," + s.only,
			pfx + "set-identifier": s.set,
			pfx + "aws-weight":     s.weight,
		})
		if _, err := c.CoreV1().Services(s.ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		setLoadBalancerIP(t, c, s.ns, "web", s.ip)
	}
	// Driven reconcile by reconcile, alternating, as two clusters would
	// interleave; RunOnce waits for its caches.
	round := func() {
		for _, s := range sides {
			if err := s.p.Ctl.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := []string{
		"weighted.example.com A 203.0.113.10 set=a",
		"weighted.example.com A 203.0.113.20 set=b",
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		round()
		got := plainRecords(records(t, shared))
		return slices.Equal(got, append([]string{"a-only.example.com A 203.0.113.10 set=a", "b-only.example.com A 203.0.113.20 set=b"}, want...)),
			strings.Join(got, "; ")
	})
	for _, s := range sides {
		for _, e := range mustRecords(t, shared) {
			if e.SetIdentifier == s.set && e.RecordType == "A" {
				if w, _ := e.ProviderSpecific.Get("aws/weight"); w != s.weight {
					t.Errorf("%s weight %q, want %q", e.DNSName, w, s.weight)
				}
			}
		}
	}

	changesBefore := []int64{sides[0].p.Changes(), sides[1].p.Changes()}
	appliesBefore := applies(shared)
	for range 20 {
		round()
	}
	for i, s := range sides {
		if got := s.p.Changes(); got != changesBefore[i] {
			t.Errorf("%s applied %d more change batches after convergence", s.owner, got-changesBefore[i])
		}
		if got := metricValue(t, s.p, "external_dns_controller_no_op_runs_total"); got < 20 {
			t.Errorf("%s: %v no-op runs of the last 20", s.owner, got)
		}
	}
	if got := applies(shared); got != appliesBefore {
		t.Errorf("provider applied %d more batches after convergence", got-appliesBefore)
	}

	// Cluster A's Service goes: only A's record sets go with it.
	if err := c.CoreV1().Services(sides[0].ns).Delete(context.Background(), "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		round()
		got := plainRecords(records(t, shared))
		return slices.Equal(got, []string{"b-only.example.com A 203.0.113.20 set=b", "weighted.example.com A 203.0.113.20 set=b"}),
			strings.Join(got, "; ")
	})
}

// plainRecords drops the ownership TXT records.
func plainRecords(recs []string) []string {
	var out []string
	for _, r := range recs {
		if !strings.Contains(r, " TXT ") {
			out = append(out, r)
		}
	}
	return out
}

func applies(p any) int {
	if m, ok := p.(*inmemory.Provider); ok {
		return m.Applies()
	}
	return -1 // another provider: the per-controller counts still hold
}
