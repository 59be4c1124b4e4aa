package controller

import (
	"context"
	"fmt"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider/inmemory"
	"github.com/exodns/exodns/internal/registry/txt"
)

// staticProvider serves a fixed zone and drops changes, so the benchmark
// measures the registry and the plan, not a provider's copying.
type staticProvider struct {
	records []*endpoint.Endpoint
	applied int
}

func (s *staticProvider) Records(context.Context) ([]*endpoint.Endpoint, error) {
	return s.records, nil
}
func (s *staticProvider) AdjustEndpoints(e []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return e, nil
}
func (s *staticProvider) ApplyChanges(_ context.Context, c *plan.Changes) error {
	s.applied += c.Len()
	return nil
}

func desiredSet(n int, changedEvery int) []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, 0, n)
	for i := 0; i < n; i++ {
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		if changedEvery > 0 && i%changedEvery == 0 {
			ip = "192.0.2.1"
		}
		out = append(out, endpoint.New(fmt.Sprintf("svc-%d.ns-%d.example.com", i, i%50), "A", ip).
			WithLabel(endpoint.ResourceLabel, fmt.Sprintf("service/ns-%d/svc-%d", i%50, i)))
	}
	return out
}

// BenchmarkReconcile100k is one reconcile's CPU work at 10^5 records: the
// TXT registry reads 100k records plus their 100k ownership records, the
// plan compares them with 100k desired endpoints (1% changed), and the
// registry builds the batch with its ownership changes.
func BenchmarkReconcile100k(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	// Build the zone the way exodns itself would have written it.
	seed := inmemory.New([]string{"example.com"})
	reg, err := txt.New(seed, txt.Config{OwnerID: "bench", Prefix: "k3s-"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := reg.Records(ctx); err != nil {
		b.Fatal(err)
	}
	if err := reg.ApplyChanges(ctx, &plan.Changes{Create: desiredSet(n, 0)}); err != nil {
		b.Fatal(err)
	}
	zone, _ := seed.Records(ctx)
	if len(zone) != 2*n {
		b.Fatalf("zone has %d records, want %d", len(zone), 2*n)
	}
	desired := desiredSet(n, 100)

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		prov := &staticProvider{records: zone}
		reg, _ := txt.New(prov, txt.Config{OwnerID: "bench", Prefix: "k3s-"})
		current, err := reg.Records(ctx)
		if err != nil {
			b.Fatal(err)
		}
		res := plan.Calculate(plan.Input{Desired: desired, Current: current, OwnerID: "bench", Policy: plan.PolicySync})
		if got := len(res.Changes.UpdateNew); got != n/100 {
			b.Fatalf("updates = %d, want %d", got, n/100)
		}
		if err := reg.ApplyChanges(ctx, res.Changes); err != nil {
			b.Fatal(err)
		}
		// Only the records change: their ownership records already say
		// the right thing and are left alone.
		if prov.applied != n/100 {
			b.Fatalf("applied %d changes", prov.applied)
		}
	}
}
