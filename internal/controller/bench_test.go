package controller

import (
	"context"
	"fmt"
	"runtime"
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

// BenchmarkReconcile100k is one full reconcile's CPU work at 10^5 records:
// the TXT registry reads 100k records plus their 100k ownership records,
// the plan compares them with 100k desired endpoints (1% changed), and the
// registry builds the batch with its ownership changes.
//
// steady is a running controller's full run soon after another (a burst
// of full runs: a manifest or Gateway source's events), its registry
// reusing the memory of the snapshot before last (txt.DefaultSpareFor).
// isolated is the same read long after the last, as the hourly safety net
// and a provider without a zone version (every --interval) read: the
// spare is gone. cold is the first reconcile after a start: a new
// registry.
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

	for _, mode := range []string{"steady", "isolated", "cold"} {
		b.Run(mode, func(b *testing.B) {
			prov := &staticProvider{records: zone}
			cfg := txt.Config{OwnerID: "bench", Prefix: "k3s-"}
			if mode == "isolated" {
				cfg.SpareFor = -1
			}
			reg, _ := txt.New(prov, cfg)
			if _, err := reg.Records(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				prov.applied = 0
				if mode == "cold" {
					reg, _ = txt.New(prov, cfg)
				}
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
				// Only the records change: their ownership records already
				// say the right thing and are left alone.
				if prov.applied != n/100 {
					b.Fatalf("applied %d changes", prov.applied)
				}
			}
		})
	}
}

// convergedWorld is a controller over n objects of one A record each,
// with the TXT registry over the in-memory provider, after its first
// (full) reconcile.
func convergedWorld(b testing.TB, n int) *world {
	return convergedInMemory(b, n)
}

// atRest is a registry read long after its last read: it keeps no spare
// snapshot (txt.DefaultSpareFor has passed), as at the hourly safety net.
func atRest(c *txt.Config) { c.SpareFor = -1 }

// convergedInMemory is convergedWorld with registry options.
func convergedInMemory(b testing.TB, n int, opts ...func(*txt.Config)) *world {
	w := convergedWorldOn(b, n, func(tb testing.TB) *world {
		return newWorldOn(tb, inmemory.New([]string{"example.com"}), opts...)
	})
	if got := w.applies(); got != 1 {
		b.Fatalf("%d applies", got)
	}
	return w
}

// convergedWorldOn is convergedWorld over the world mk makes.
func convergedWorldOn(b testing.TB, n int, mk func(testing.TB) *world) *world {
	w := mk(b)
	w.ctl.Observer = nil
	for i := range n {
		res := fmt.Sprintf("service/ns-%d/svc-%d", i%50, i)
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		w.src.set(res, &fakeObject{eps: []*endpoint.Endpoint{
			endpoint.New(fmt.Sprintf("svc-%d.ns-%d.example.com", i, i%50), "A", ip).WithLabel(endpoint.ResourceLabel, res)}})
	}
	if err := w.ctl.RunOnce(context.Background()); err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkOneChange100k is the work one changed object costs among 10^5:
// the source's event is taken, the object's names re-planned, and the
// batch (the record and its ownership record) applied. Before incremental
// runs this was a full reconcile (BenchmarkReconcile100k and more).
func BenchmarkOneChange100k(b *testing.B) {
	ctx := context.Background()
	const n = 100_000
	w := convergedWorld(b, n)
	applies := w.applies()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % n
		res := fmt.Sprintf("service/ns-%d/svc-%d", j%50, j)
		ip := fmt.Sprintf("198.18.%d.%d", i/n%2, j&255)
		w.src.set(res, &fakeObject{eps: []*endpoint.Endpoint{
			endpoint.New(fmt.Sprintf("svc-%d.ns-%d.example.com", j, j%50), "A", ip).WithLabel(endpoint.ResourceLabel, res)}})
		if err := w.ctl.run(ctx, runEvent); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got := w.applies() - applies; got != b.N {
		b.Fatalf("%d batches applied for %d changes", got, b.N)
	}
}

// BenchmarkNoopReconcile10k is a periodic resync at 10^4 objects when
// nothing changed: the zone's version and the sources' (empty) change
// lists say so, and nothing is read or planned. Every 60th resync is a
// full one all the same (FullResyncEvery), and is counted in.
func BenchmarkNoopReconcile10k(b *testing.B) {
	ctx := context.Background()
	w := convergedWorld(b, 10_000)
	applies := w.applies()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.ctl.run(ctx, runResync); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if w.applies() != applies {
		b.Fatal("a no-op resync wrote to the zone")
	}
}

// BenchmarkEmbeddedResync10k is BenchmarkNoopReconcile10k over the
// embedded server, README's default provider: resync is the periodic
// resync as it runs now that the store keeps a zone version (every 60th
// full, counted in); full is a full run, which is what every resync was
// before it did.
func BenchmarkEmbeddedResync10k(b *testing.B) {
	ctx := context.Background()
	for _, m := range []struct {
		name string
		mode runMode
	}{{"resync", runResync}, {"full", runFull}} {
		b.Run(m.name, func(b *testing.B) {
			w := convergedWorldOn(b, 10_000, newEmbeddedWorld)
			v := w.prov.ZoneVersion()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := w.ctl.run(ctx, m.mode); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if w.prov.ZoneVersion() != v {
				b.Fatal("a no-op resync wrote to the zone")
			}
		})
	}
}

// BenchmarkFullResync100k is the periodic full reconcile (the safety net
// under incremental runs) of a running controller at 10^5 objects, nothing
// changed: the sources list every object, the registry reads the in-memory
// zone (2·10^5 records), the index is rebuilt and everything planned.
// The registry is at rest (an hour after its last read, it keeps no
// spare snapshot). BenchmarkReconcile100k is its registry and plan part
// alone.
func BenchmarkFullResync100k(b *testing.B) {
	ctx := context.Background()
	w := convergedInMemory(b, 100_000, atRest)
	applies := w.applies()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.ctl.run(ctx, runFull); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if w.applies() != applies {
		b.Fatal("a full resync of a converged zone wrote to it")
	}
}

// BenchmarkConvergedHeap10k reports the live heap a converged controller
// keeps per object at 10^4 objects (one A record each, with its ownership
// record), with the in-memory provider's zone and the test source's
// objects: what the process's RSS grows by as objects are added. applied
// is right after the changes that converged it landed; read is after a
// full run more, when the registry holds what it read; reread is after
// three, the state of a process that has run its hourly full resyncs (or
// that serves a source whose every event is a full run).
func BenchmarkConvergedHeap10k(b *testing.B) {
	const n = 10_000
	for _, c := range []struct {
		name  string
		reads int
	}{{"applied", 0}, {"read", 1}, {"reread", 3}} {
		b.Run(c.name, func(b *testing.B) {
			var before, after runtime.MemStats
			for i := 0; i < b.N; i++ {
				runtime.GC()
				runtime.ReadMemStats(&before)
				w := convergedInMemory(b, n, atRest)
				for range c.reads {
					if err := w.ctl.RunOnce(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
				// Twice: what sync.Pools hold (the plan's buffers) is
				// let go only by the second collection.
				runtime.GC()
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "live-B/object")
				runtime.KeepAlive(w)
			}
		})
	}
}
