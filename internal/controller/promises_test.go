package controller

import (
	"bytes"
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
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/internal/source"
)

// recorded collects what the reporter passes on (the Events, in a cluster).
type recorded struct {
	mu sync.Mutex
	ps []source.Problem
}

func (r *recorded) Report(p source.Problem) { r.mu.Lock(); r.ps = append(r.ps, p); r.mu.Unlock() }
func (r *recorded) count(kind source.ProblemKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, p := range r.ps {
		if p.Kind == kind {
			n++
		}
	}
	return n
}

// syncBuffer is a log sink safe for the Run goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string       { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
func (s *syncBuffer) count(sub string) int { return strings.Count(s.String(), sub) }

func withLog(c *Controller, m *Metrics) (*syncBuffer, *recorded) {
	buf := &syncBuffer{}
	c.Log = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	next := &recorded{}
	c.Reporter = &Reporter{Log: c.Log, Metrics: m, Next: next}
	return buf, next
}

// TestRefusedChangeIsHeldAndReportedOnce: the provider refuses one change
// (a name outside its zones). Its neighbours land; the refusal is reported
// once, not logged as applied, and not sent again while the input stands.
// A changed input is tried again.
func TestRefusedChangeIsHeldAndReportedOnce(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{eps: []*endpoint.Endpoint{a("ok.example.com", "10.0.0.1"), a("app.other.org", "10.0.0.2")}}
	prov := inmemory.New([]string{"example.com"})
	c, m := newTestController(src, &ownerless{Provider: prov})
	logs, next := withLog(c, m)
	for range 10 {
		if err := c.RunOnce(ctx); err != nil {
			t.Fatalf("a refusal failed the reconcile: %v", err)
		}
	}
	if recs, _ := prov.Records(ctx); len(recs) != 1 || recs[0].DNSName != "ok.example.com" {
		t.Fatalf("records = %v", recs)
	}
	if got := next.count(source.Refused); got != 1 {
		t.Errorf("refusal passed on %d times over 10 reconciles, want 1", got)
	}
	if got := logs.count("record refused by the provider"); got != 1 {
		t.Errorf("refusal logged %d times, want 1:\n%s", got, logs)
	}
	if strings.Contains(logs.String(), `msg="record changed" action=create name=app.other.org`) {
		t.Errorf("a refused change was logged as applied:\n%s", logs)
	}
	if got := testutil.ToFloat64(m.changes.WithLabelValues("create")); got != 1 {
		t.Errorf("creates counted = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.reports.WithLabelValues("ProviderRefused")); got != 1 {
		t.Errorf("standing refusals gauge = %v, want 1", got)
	}
	if c.Health.Check() != nil {
		t.Errorf("a refused input made /healthz fail: %v", c.Health.Check())
	}
	// Held: the refused change is not sent again (inmemory counts only
	// applied batches, so count calls through the registry).
	calls := &countingRegistry{ownerless: &ownerless{Provider: prov}}
	c.Registry = calls
	_ = c.RunOnce(ctx)
	if calls.nonEmpty.Load() != 0 {
		t.Errorf("a held refusal was sent again")
	}
	// The user fixes the name: it is published and the report clears.
	src.set(nil, a("ok.example.com", "10.0.0.1"), a("app.example.com", "10.0.0.2"))
	if err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if recs, _ := prov.Records(ctx); len(recs) != 2 {
		t.Fatalf("fixed input not published: %v", recs)
	}
	if got := testutil.ToFloat64(m.reports.WithLabelValues("ProviderRefused")); got != 0 {
		t.Errorf("refusal still standing after the fix: %v", got)
	}
}

type countingRegistry struct {
	*ownerless
	nonEmpty atomic.Int32
}

func (r *countingRegistry) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if c.HasChanges() {
		r.nonEmpty.Add(1)
	}
	return r.ownerless.ApplyChanges(ctx, c)
}

// TestInvalidInputReportedOncePerChange: one held object over 100
// reconciles gives exactly one warning and one Event; fixing it gives one
// "now valid" line.
func TestInvalidInputReportedOncePerChange(t *testing.T) {
	ctx := context.Background()
	bad := source.Problem{Object: source.ObjectRef{Kind: "Service", Namespace: "default", Name: "web"},
		Err: &endpoint.ValidationError{Field: "external-dns.alpha.kubernetes.io/ttl", Value: "soon", Reason: "not a duration"}}
	fixed := atomic.Bool{}
	var c *Controller
	src := &reportingSource{fakeSource: &fakeSource{eps: []*endpoint.Endpoint{a("ok.example.com", "10.0.0.1")}},
		report: func() {
			if !fixed.Load() {
				c.Reporter.Report(bad)
			}
		}}
	c, m := newTestController(src, &ownerless{Provider: inmemory.New([]string{"example.com"})})
	logs, next := withLog(c, m)
	for range 100 {
		if err := c.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := logs.count("invalid input skipped"); got != 1 {
		t.Errorf("%d warnings over 100 reconciles, want 1", got)
	}
	if got := next.count(source.InvalidInput); got != 1 {
		t.Errorf("%d Events over 100 reconciles, want 1", got)
	}
	if got := testutil.ToFloat64(m.invalidEndpoints); got != 1 {
		t.Errorf("held gauge = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.invalidInputs.WithLabelValues("Service")); got != 1 {
		t.Errorf("invalid inputs counted %v times, want once", got)
	}
	fixed.Store(true)
	for range 5 {
		_ = c.RunOnce(ctx)
	}
	if got := logs.count("input now valid"); got != 1 {
		t.Errorf("%d cleared lines, want 1:\n%s", got, logs)
	}
	if got := testutil.ToFloat64(m.invalidEndpoints); got != 0 {
		t.Errorf("held gauge = %v after the fix", got)
	}
	// A source that fails to read reports nothing; that is not a fix.
	fixed.Store(false)
	_ = c.RunOnce(ctx)
	src.set(errors.New("cannot read"), a("ok.example.com", "10.0.0.1"))
	_ = c.RunOnce(ctx)
	if got := logs.count("input now valid"); got != 1 {
		t.Errorf("a failed read was taken as a fix:\n%s", logs)
	}
}

type reportingSource struct {
	*fakeSource
	report func()
}

func (s *reportingSource) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	eps, err := s.fakeSource.Endpoints(ctx)
	if err == nil {
		s.report()
	}
	return eps, err
}

// flaky fails its first n ApplyChanges calls with a provider error.
type flaky struct {
	*ownerless
	left atomic.Int32
}

func (f *flaky) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if f.left.Add(-1) >= 0 {
		return errors.New("disk full")
	}
	return f.ownerless.ApplyChanges(ctx, c)
}

// TestFailedApplyIsRetriedWithBackoff: with a one-hour interval, a failed
// apply used to wait an hour. It is retried with backoff instead.
func TestFailedApplyIsRetriedWithBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &fakeSource{eps: []*endpoint.Endpoint{a("x.example.com", "10.0.0.1")}}
	prov := inmemory.New([]string{"example.com"})
	reg := &flaky{ownerless: &ownerless{Provider: prov}}
	reg.left.Store(3)
	c, m := newTestController(src, reg.ownerless)
	c.Registry = reg
	c.Interval = time.Hour
	c.RetryBackoff = 10 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	waitFor(t, func() bool { recs, _ := prov.Records(ctx); return len(recs) == 1 })
	cancel()
	<-done
	if got := testutil.ToFloat64(m.retries); got != 3 {
		t.Errorf("retries = %v, want 3", got)
	}
}

func TestNextBackoff(t *testing.T) {
	tests := []struct {
		prev, first, limit, want time.Duration
	}{
		{0, 0, time.Minute, time.Second},
		{time.Second, 0, time.Minute, 2 * time.Second},
		{32 * time.Second, time.Second, time.Minute, time.Minute},
		{0, time.Second, 100 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := nextBackoff(tc.prev, tc.first, tc.limit); got != tc.want {
			t.Errorf("nextBackoff(%v, %v, %v) = %v, want %v", tc.prev, tc.first, tc.limit, got, tc.want)
		}
	}
}

// TestDryRunSaysWould: in dry-run nothing is logged as changed.
func TestDryRunSaysWould(t *testing.T) {
	src := &fakeSource{eps: []*endpoint.Endpoint{a("x.example.com", "10.0.0.1")}}
	c, m := newTestController(src, &ownerless{Provider: inmemory.New([]string{"example.com"})})
	c.DryRun = true
	logs, _ := withLog(c, m)
	// A dry-run provider applies nothing; stand one in.
	c.Registry = dryRegistry{&ownerless{Provider: inmemory.New([]string{"example.com"})}}
	if err := c.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "dry-run: would change record") || strings.Contains(logs.String(), `msg="record changed"`) {
		t.Errorf("dry-run log:\n%s", logs)
	}
}

type dryRegistry struct{ *ownerless }

func (dryRegistry) ApplyChanges(context.Context, *plan.Changes) error { return nil }

// TestSameOwnerClashIsDetected: two controllers with one owner id and
// different targets overwrite each other forever. Each notices that a
// record it owns changed under it, and says so once, with both values.
func TestSameOwnerClashIsDetected(t *testing.T) {
	ctx := context.Background()
	prov := inmemory.New([]string{"example.com"})
	newSide := func(ip string) (*Controller, *recorded) {
		reg, err := txt.New(prov, txt.Config{OwnerID: "shared"})
		if err != nil {
			t.Fatal(err)
		}
		c := &Controller{
			Source: &fakeSource{eps: []*endpoint.Endpoint{a("app.example.com", ip)}}, Registry: reg, Policy: plan.PolicySync,
			Interval: time.Hour, Log: slog.New(slog.DiscardHandler), Metrics: NewMetrics(prometheus.NewRegistry()), Health: NewHealth(2),
		}
		next := &recorded{}
		c.Reporter = &Reporter{Log: c.Log, Metrics: c.Metrics, Next: next}
		return c, next
	}
	c1, r1 := newSide("10.0.0.1")
	c2, r2 := newSide("10.0.0.2")
	for range 10 {
		if err := c1.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c2.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range []*recorded{r1, r2} {
		if got := r.count(source.Contested); got != 1 {
			t.Errorf("controller %d reported the clash %d times, want 1", i+1, got)
			continue
		}
		for _, p := range r.ps {
			msg := p.Err.Error()
			if p.Kind == source.Contested && (!strings.Contains(msg, "10.0.0.1") || !strings.Contains(msg, "10.0.0.2") || !strings.Contains(msg, "--txt-owner-id")) {
				t.Errorf("report lacks both values or the advice: %s", msg)
			}
		}
	}
	// A single controller never reports its own writes.
	solo, r := newSide("10.0.0.3")
	prov2 := inmemory.New([]string{"example.com"})
	solo.Registry, _ = txt.New(prov2, txt.Config{OwnerID: "solo"})
	for _, ip := range []string{"10.0.0.3", "10.0.0.4", "10.0.0.5"} {
		solo.Source.(*fakeSource).set(nil, a("app.example.com", ip))
		if err := solo.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.count(source.Contested); got != 0 {
		t.Errorf("own updates reported as contested %d times", got)
	}
}

// TestClashFoundAfterRestart: a controller that has not written a record
// since it started (it found the zone converged) still notices when
// someone else changes that record of ours between two of its reads,
// and says what it saw before and after. Its view of the zone is what it
// compares with, not a list of its own writes, which a restart empties.
func TestClashFoundAfterRestart(t *testing.T) {
	ctx := context.Background()
	prov := inmemory.New([]string{"example.com"})
	newController := func() (*Controller, *recorded) {
		reg, err := txt.New(prov, txt.Config{OwnerID: "us"})
		if err != nil {
			t.Fatal(err)
		}
		c := &Controller{
			Source: &fakeSource{eps: []*endpoint.Endpoint{a("app.example.com", "10.0.0.1")}}, Registry: reg, Policy: plan.PolicySync,
			Interval: time.Hour, Log: slog.New(slog.DiscardHandler), Metrics: NewMetrics(prometheus.NewRegistry()), Health: NewHealth(2),
		}
		next := &recorded{}
		c.Reporter = &Reporter{Log: c.Log, Metrics: c.Metrics, Next: next}
		return c, next
	}
	first, _ := newController()
	if err := first.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	restarted, r := newController()
	if err := restarted.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if prov.Applies() != 1 {
		t.Fatalf("%d applies: the restarted controller wrote to a converged zone", prov.Applies())
	}
	// Someone else points our record elsewhere, leaving its ownership.
	if err := prov.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{endpoint.New("app.example.com", "A", "10.0.0.1")},
		UpdateNew: []*endpoint.Endpoint{endpoint.New("app.example.com", "A", "10.0.0.66")}}); err != nil {
		t.Fatal(err)
	}
	if err := restarted.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.count(source.Contested); got != 1 {
		t.Fatalf("the clash was reported %d times, want 1", got)
	}
	for _, p := range r.ps {
		if msg := p.Err.Error(); p.Kind == source.Contested && (!strings.Contains(msg, "[10.0.0.1]") || !strings.Contains(msg, "[10.0.0.66]")) {
			t.Errorf("report lacks the value before or after: %s", msg)
		}
	}
}

// TestIncompleteSourceDeletesNothing: a source that could not read part of
// its input (a manifest that never parsed) returns what it has with an
// IncompleteError; the rest is applied and nothing is deleted.
func TestIncompleteSourceDeletesNothing(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{eps: []*endpoint.Endpoint{a("x.example.com", "10.0.0.1"), a("y.example.com", "10.0.0.2")}}
	prov := inmemory.New([]string{"example.com"})
	c, _ := newTestController(src, &ownerless{Provider: prov})
	if err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	src.set(&source.IncompleteError{Errs: []error{errors.New("bad.yaml does not parse")}},
		a("y.example.com", "10.0.0.3"), a("z.example.com", "10.0.0.4"))
	if err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	recs, _ := prov.Records(ctx)
	for _, r := range recs {
		got[r.DNSName] = r.Targets[0]
	}
	if got["x.example.com"] != "10.0.0.1" || got["y.example.com"] != "10.0.0.3" || got["z.example.com"] != "10.0.0.4" {
		t.Fatalf("records = %v: x kept, y updated, z created", got)
	}
}

// TestReadiness: a replica is not ready until a reconcile succeeded (its
// sources read, its zone loaded); /healthz is fine meanwhile.
func TestReadiness(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{err: errors.New("caches not synced")}
	c, _ := newTestController(src, &ownerless{Provider: inmemory.New([]string{"example.com"})})
	if c.Health.Ready() == nil {
		t.Fatal("ready before any reconcile")
	}
	_ = c.RunOnce(ctx)
	if err := c.Health.Ready(); err == nil || !strings.Contains(err.Error(), "caches not synced") {
		t.Fatalf("Ready() = %v, want the reason", err)
	}
	if c.Health.Check() != nil {
		t.Error("one failure must not fail /healthz")
	}
	src.set(nil, a("x.example.com", "10.0.0.1"))
	if err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Health.Ready(); err != nil {
		t.Errorf("not ready after a successful reconcile: %v", err)
	}
}
