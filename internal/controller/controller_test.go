package controller

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider/inmemory"
	"github.com/exodns/exodns/internal/source"
)

// fakeSource returns a settable list and lets the test fire events.
type fakeSource struct {
	mu       sync.Mutex
	eps      []*endpoint.Endpoint
	err      error
	handlers []func()
	reads    atomic.Int32
}

func (s *fakeSource) Endpoints(context.Context) ([]*endpoint.Endpoint, error) {
	s.reads.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*endpoint.Endpoint, len(s.eps))
	for i, e := range s.eps {
		out[i] = e.DeepCopy()
	}
	return out, s.err
}

func (s *fakeSource) AddEventHandler(_ context.Context, h func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers = append(s.handlers, h)
}

func (s *fakeSource) set(err error, eps ...*endpoint.Endpoint) {
	s.mu.Lock()
	s.eps, s.err = eps, err
	hs := s.handlers
	s.mu.Unlock()
	for _, h := range hs {
		h()
	}
}

// ownerless adapts a provider to the Registry interface with no ownership,
// keeping this package's tests independent of the TXT format.
type ownerless struct {
	*inmemory.Provider
	fail error
}

func (o *ownerless) OwnerID() string { return "" }
func (o *ownerless) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if o.fail != nil {
		return o.fail
	}
	return o.Provider.ApplyChanges(ctx, c)
}

func newTestController(src source.Source, reg *ownerless) (*Controller, *Metrics) {
	m := NewMetrics(prometheus.NewRegistry())
	return &Controller{
		Source: src, Registry: reg, Policy: plan.PolicySync,
		Interval: time.Hour, Log: slog.New(slog.DiscardHandler), Metrics: m, Health: NewHealth(2),
	}, m
}

func a(name, ip string) *endpoint.Endpoint {
	return endpoint.New(name, "A", ip).WithLabel(endpoint.ResourceLabel, "service/default/"+name)
}

func TestRunOnceConvergesAndStops(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{eps: []*endpoint.Endpoint{a("x.example.com", "10.0.0.1"), a("y.example.com", "10.0.0.2")}}
	prov := inmemory.New([]string{"example.com"})
	c, m := newTestController(src, &ownerless{Provider: prov})
	for i := 0; i < 5; i++ {
		if err := c.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	recs, _ := prov.Records(ctx)
	if len(recs) != 2 {
		t.Fatalf("records = %v", recs)
	}
	if prov.Applies() != 1 {
		t.Errorf("provider written %d times, want once then no-ops", prov.Applies())
	}
	if got := testutil.ToFloat64(m.noOpRuns); got != 4 {
		t.Errorf("no-op runs = %v, want 4", got)
	}
	if got := testutil.ToFloat64(m.changes.WithLabelValues("create")); got != 2 {
		t.Errorf("creates counted = %v", got)
	}
}

func TestProviderErrorIsRetriedAndHealthFails(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{eps: []*endpoint.Endpoint{a("x.example.com", "10.0.0.1")}}
	reg := &ownerless{Provider: inmemory.New([]string{"example.com"}), fail: errors.New("provider down")}
	c, m := newTestController(src, reg)
	if err := c.RunOnce(ctx); err == nil {
		t.Fatal("want error")
	}
	if c.Health.Check() != nil {
		t.Error("one failure below threshold 2 should still be healthy")
	}
	_ = c.RunOnce(ctx)
	if c.Health.Check() == nil {
		t.Error("two failures should make /healthz fail")
	}
	if got := testutil.ToFloat64(m.consecutiveErrors); got != 2 {
		t.Errorf("consecutive errors = %v", got)
	}
	reg.fail = nil
	if err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Health.Check() != nil || testutil.ToFloat64(m.consecutiveErrors) != 0 {
		t.Error("a success should clear the failure state")
	}
}

func TestSourceErrorDeletesNothing(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{eps: []*endpoint.Endpoint{a("x.example.com", "10.0.0.1")}}
	prov := inmemory.New([]string{"example.com"})
	c, _ := newTestController(src, &ownerless{Provider: prov})
	_ = c.RunOnce(ctx)
	src.set(errors.New("cannot read"))
	if err := c.RunOnce(ctx); err == nil {
		t.Fatal("want error")
	}
	if recs, _ := prov.Records(ctx); len(recs) != 1 {
		t.Fatalf("a source error deleted records: %v", recs)
	}
}

func TestRunReactsToEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &fakeSource{}
	prov := inmemory.New([]string{"example.com"})
	c, _ := newTestController(src, &ownerless{Provider: prov})
	c.MinEventSyncInterval = 10 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(t, func() bool { return src.reads.Load() >= 1 }) // the initial run
	src.set(nil, a("x.example.com", "10.0.0.1"))
	waitFor(t, func() bool { recs, _ := prov.Records(ctx); return len(recs) == 1 })
	// A burst of events is coalesced: far fewer runs than events. The last
	// event carries a new address; once it is published, every event of
	// the burst has been handled.
	before := src.reads.Load()
	for i := 0; i < 200; i++ {
		src.set(nil, a("x.example.com", "10.0.0.1"))
	}
	src.set(nil, a("x.example.com", "10.0.0.2"))
	waitFor(t, func() bool { recs, _ := prov.Records(ctx); return len(recs) == 1 && recs[0].Targets[0] == "10.0.0.2" })
	if runs := src.reads.Load() - before; runs > 20 {
		t.Errorf("200 events caused %d runs; want them debounced", runs)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestInvalidInputNeverDeletes(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{eps: []*endpoint.Endpoint{a("x.example.com", "10.0.0.1"), a("y.example.com", "10.0.0.2")}}
	prov := inmemory.New([]string{"example.com"})
	c, _ := newTestController(src, &ownerless{Provider: prov})
	if err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// x's object gets a bad annotation: the source holds its name.
	src.set(nil, &endpoint.Endpoint{DNSName: "x.example.com", Labels: endpoint.NewLabels(endpoint.HoldLabel, "bad ttl")},
		a("y.example.com", "10.0.0.3"))
	if err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	recs, _ := prov.Records(ctx)
	got := map[string]string{}
	for _, r := range recs {
		got[r.DNSName] = r.Targets[0]
	}
	if got["x.example.com"] != "10.0.0.1" || got["y.example.com"] != "10.0.0.3" {
		t.Fatalf("records = %v: the held name must stay, the valid change must apply", got)
	}
}

// refusingRegistry holds every endpoint named refuse.* in AdjustEndpoints,
// as a provider does with what its API would reject.
type refusingRegistry struct{ *ownerless }

func (r refusingRegistry) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	for _, e := range eps {
		if strings.HasPrefix(e.DNSName, "refuse.") {
			e.Labels.Set(endpoint.HoldLabel, "weight 300 is above 255")
		}
	}
	return eps, nil
}

func TestProviderRefusalIsReportedAndHeld(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{eps: []*endpoint.Endpoint{a("refuse.example.com", "10.0.0.1"), a("ok.example.com", "10.0.0.2")}}
	prov := inmemory.New([]string{"example.com"})
	c, m := newTestController(src, &ownerless{Provider: prov})
	c.Registry = refusingRegistry{&ownerless{Provider: prov}}
	var got []source.Problem
	c.Reporter = &Reporter{Log: c.Log, Metrics: m, Next: source.ReporterFunc(func(p source.Problem) { got = append(got, p) })}
	if err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	recs, _ := prov.Records(ctx)
	if len(recs) != 1 || recs[0].DNSName != "ok.example.com" {
		t.Fatalf("records = %v", recs)
	}
	if len(got) != 1 || got[0].Object.Kind != "service" || got[0].Object.Name != "refuse.example.com" ||
		!strings.Contains(got[0].Err.Error(), "above 255") {
		t.Fatalf("reports = %v", got)
	}
}
