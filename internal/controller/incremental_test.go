package controller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/inmemory"
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/internal/source"
)

// objectSource is an incremental source over a map of objects, each
// yielding a fixed list of endpoints (and maybe a report).
type objectSource struct {
	mu       sync.Mutex
	objs     map[string]fakeObject // by resource label
	dirty    map[string]bool
	reporter source.Reporter
}

type fakeObject struct {
	eps     []*endpoint.Endpoint
	problem source.ProblemKind // reported when report is set
	report  bool
}

var _ source.Incremental = (*objectSource)(nil)

func refOf(res string) source.ObjectRef {
	kind, ns, name, _ := source.ParseResource(res)
	return source.ObjectRef{Kind: strings.ToUpper(kind[:1]) + kind[1:], Namespace: ns, Name: name}
}

func (s *objectSource) convert(res string) []*endpoint.Endpoint {
	o, ok := s.objs[res]
	if !ok {
		return nil
	}
	if o.report && s.reporter != nil {
		s.reporter.Report(source.Problem{Object: refOf(res), Kind: o.problem, Err: fmt.Errorf("problem of %s", res)})
	}
	out := make([]*endpoint.Endpoint, len(o.eps))
	for i, e := range o.eps {
		out[i] = e.DeepCopy()
	}
	return out
}

func (s *objectSource) Endpoints(context.Context) ([]*endpoint.Endpoint, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dirty = nil
	// In no particular order, as informers list (the plan's result does
	// not depend on it; TestRandomWorlds in plan holds it to that).
	out := make([]*endpoint.Endpoint, 0, len(s.objs))
	for res := range s.objs {
		out = append(out, s.convert(res)...)
	}
	return out, nil
}

func (s *objectSource) Changes(context.Context) (source.Delta, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var d source.Delta
	for _, res := range sortedKeys(s.dirty) {
		d.Objects = append(d.Objects, source.ObjectChange{Key: res, Ref: refOf(res), Endpoints: s.convert(res)})
	}
	s.dirty = nil
	return d, true, nil
}

func (s *objectSource) AddEventHandler(context.Context, func()) {}

func (s *objectSource) set(res string, o *fakeObject) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.objs == nil {
		s.objs = map[string]fakeObject{}
	}
	if o == nil {
		delete(s.objs, res)
	} else {
		s.objs[res] = *o
	}
	if s.dirty == nil {
		s.dirty = map[string]bool{}
	}
	s.dirty[res] = true
}

// badTarget is refused by refusingProvider, as a DNS API refuses a value.
const badTarget = "192.0.2.66"

var errBadTarget = errors.New("target refused")

// zoneProvider is a provider that counts the changes of its zone, as the
// incremental runs need.
type zoneProvider interface {
	provider.Provider
	provider.Versioned
}

// refusingProvider refuses, group by group, records with badTarget.
type refusingProvider struct{ zoneProvider }

func (p refusingProvider) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	return provider.ApplyIsolated(ctx, c, func(ctx context.Context, c *plan.Changes) error {
		for _, e := range slices.Concat(c.Create, c.UpdateNew) {
			if slices.Contains(e.Targets, badTarget) {
				return errBadTarget
			}
		}
		return p.zoneProvider.ApplyChanges(ctx, c)
	}, func(err error) bool { return errors.Is(err, errBadTarget) })
}

// world is one controller over its own zone.
type world struct {
	src   *objectSource
	prov  zoneProvider
	ctl   *Controller
	rep   *Reporter
	tried *plan.Changes
	// auth is the embedded server's authority, in worlds over it.
	auth *dnsserver.Authority
}

// newWorld is a world over the in-memory provider.
func newWorld(t testing.TB) *world {
	return newWorldOn(t, inmemory.New([]string{"example.com"}))
}

// applies counts the in-memory provider's landed batches.
func (w *world) applies() int { return w.prov.(*inmemory.Provider).Applies() }

func newWorldOn(t testing.TB, prov zoneProvider, opts ...func(*txt.Config)) *world {
	w := &world{src: &objectSource{}, prov: prov}
	cfg := txt.Config{OwnerID: "us"}
	for _, o := range opts {
		o(&cfg)
	}
	reg, err := txt.New(refusingProvider{w.prov}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(prometheus.NewRegistry())
	w.rep = &Reporter{Log: slog.New(slog.DiscardHandler), Metrics: m}
	w.src.reporter = w.rep
	w.ctl = &Controller{Source: w.src, Registry: reg, Policy: plan.PolicySync, Interval: time.Hour,
		Log: slog.New(slog.DiscardHandler), Metrics: m, Health: NewHealth(2), Reporter: w.rep,
		Observer: ObserverFunc(func(o Outcome) { w.tried = o.Tried })}
	return w
}

// seed writes records of another owner, and one of no owner, into the zone.
func (w *world) seed(t testing.TB) {
	ctx := context.Background()
	other, _ := txt.New(w.prov, txt.Config{OwnerID: "other"})
	if _, err := other.Records(ctx); err != nil {
		t.Fatal(err)
	}
	err := other.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{
		endpoint.New("n6.example.com", "A", "198.51.100.6").WithLabel(endpoint.ResourceLabel, "service/x/theirs"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.prov.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("n7.example.com", "A", "198.51.100.7")}}); err != nil {
		t.Fatal(err)
	}
}

func describe(e *endpoint.Endpoint) string {
	t := slices.Clone([]string(e.Targets))
	slices.Sort(t)
	return fmt.Sprintf("%s %s %q ttl=%d %v owner=%q res=%q ps=%v", canon(e.DNSName), e.RecordType, e.SetIdentifier,
		e.RecordTTL, t, e.Labels.Get(endpoint.OwnerLabel), e.Resource(), e.ProviderSpecific)
}

func describeAll(eps []*endpoint.Endpoint) []string {
	out := make([]string, len(eps))
	for i, e := range eps {
		out[i] = describe(e)
	}
	slices.Sort(out)
	return out
}

func describeChanges(c *plan.Changes) string {
	if c == nil {
		c = &plan.Changes{}
	}
	return fmt.Sprintf("create %v\nupdate %v -> %v\ndelete %v", describeAll(c.Create), describeAll(c.UpdateOld), describeAll(c.UpdateNew), describeAll(c.Delete))
}

func (w *world) indexCurrent() []string {
	w.ctl.ix.mu.Lock()
	defer w.ctl.ix.mu.Unlock()
	var out []string
	for _, e := range w.ctl.ix.names {
		out = append(out, describeAll(e.current)...)
	}
	slices.Sort(out)
	return out
}

// zone reads the zone back through a fresh registry, as a full run would.
func (w *world) zone(t testing.TB) []string {
	reg, _ := txt.New(w.prov, txt.Config{OwnerID: "us"})
	recs, err := reg.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return describeAll(recs)
}

func (w *world) standing() []string {
	w.rep.mu.Lock()
	defer w.rep.mu.Unlock()
	var out []string
	for _, st := range w.rep.last {
		for m := range st.items {
			out = append(out, strings.ToLower(st.obj.Kind)+"/"+st.obj.Namespace+"/"+st.obj.Name+" "+strings.ReplaceAll(m, "\x00", " "))
		}
	}
	slices.Sort(out)
	return out
}

func (w *world) conflicts() []string {
	w.ctl.ix.mu.Lock()
	defer w.ctl.ix.mu.Unlock()
	var out []string
	for _, cf := range w.ctl.ix.allConflicts() {
		out = append(out, fmt.Sprintf("%v", cf))
	}
	return out
}

// randomObject yields 0 to 3 endpoints at a few shared names, so objects
// compete for names; some are invalid (they hold their names), some ask
// for what the provider refuses, some for a name reserved for an
// ownership record.
func randomObject(r *rand.Rand, res string) *fakeObject {
	names := []string{"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"}
	ips := []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", badTarget}
	o := &fakeObject{}
	k := r.IntN(4)
	for range k {
		name := names[r.IntN(len(names))] + ".example.com"
		var e *endpoint.Endpoint
		switch x := r.IntN(20); {
		case x < 13:
			e = endpoint.New(name, "A", ips[r.IntN(len(ips))])
		case x < 16:
			e = endpoint.New(name, "CNAME", "target"+fmt.Sprint(r.IntN(2))+".example.org")
		case x < 18:
			e = endpoint.New(name, "AAAA", "2001:db8::"+fmt.Sprint(r.IntN(3)))
		case x < 19:
			e = endpoint.New(name, "A", ips[r.IntN(3)]).WithTTL(endpoint.TTL(60 * (1 + r.IntN(2))))
		default:
			// Named like the ownership record of n1's A record.
			e = endpoint.New("a-n1.example.com", "CNAME", "target.example.org")
		}
		o.eps = append(o.eps, e.WithLabel(endpoint.ResourceLabel, res))
	}
	switch x := r.IntN(10); {
	case x == 0:
		// Invalid input: the names it would use are held.
		for _, e := range o.eps {
			e.WithLabel(endpoint.HoldLabel, "invalid input of "+res)
		}
		o.report, o.problem = true, source.InvalidInput
	case k == 0 && x < 4:
		o.report, o.problem = true, source.NoRecords
	}
	return o
}

// TestIncrementalMatchesFull drives two controllers with the same random
// events: one plans only the changed objects' names (incremental runs),
// the other reads and plans everything every time (the oracle). After
// every step their batches, zones, indexes, conflicts and standing
// reports must be identical, and the incremental one's view of the zone
// must be what reading the zone gives.
func TestIncrementalMatchesFull(t *testing.T) {
	matchesFull(t, 2000, newWorld, []outsideWrite{otherController})
}

// outsideWrite is a write to a world's zone by someone other than its
// controller; it must reach the incremental controller exactly as it
// reaches the oracle.
type outsideWrite struct {
	name  string
	write func(ctx context.Context, w *world) error
}

// otherController writes a record into the zone through the provider, as
// another controller (or a person with the API) would.
var otherController = outsideWrite{"another controller writes", func(ctx context.Context, w *world) error {
	return w.prov.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("n5.example.com", "TXT", "\"hello\"")}})
}}

// matchesFull drives two worlds made by mk with the same random events
// and outside writes. The incremental one runs as events and periodic
// resyncs come; the oracle reads everything every time.
func matchesFull(t *testing.T, sequences int, mk func(testing.TB) *world, writes []outsideWrite) {
	steps := 25
	if testing.Short() {
		sequences = 100
	}
	ctx := context.Background()
	incremental, total, resyncs, incResyncs, wrote := 0, 0, 0, 0, 0
	for seq := range sequences {
		r := rand.New(rand.NewPCG(uint64(seq), 13))
		inc, full := mk(t), mk(t)
		if seq%2 == 0 {
			inc.seed(t)
			full.seed(t)
		}
		objs := []string{"service/a/o0", "service/a/o1", "ingress/a/o2", "ingress/b/o3", "service/b/o4", "crd/b/o5"}
		for step := range steps {
			for range r.IntN(4) {
				res := objs[r.IntN(len(objs))]
				var o *fakeObject
				if r.IntN(5) > 0 {
					o = randomObject(r, res)
				}
				inc.src.set(res, o)
				full.src.set(res, o)
			}
			var outside string
			if r.IntN(20) == 0 {
				ow := writes[r.IntN(len(writes))]
				outside = ow.name
				for _, w := range []*world{inc, full} {
					if err := ow.write(ctx, w); err == nil && w == inc {
						wrote++
					}
				}
			}
			// A third of the runs are the periodic resync, which with a
			// zone version plans only what changed, like an event run.
			mode := runEvent
			if r.IntN(3) == 0 {
				mode = runResync
				resyncs++
			}
			inc.tried, full.tried = nil, nil
			before := testutil.ToFloat64(inc.ctl.Metrics.runs.WithLabelValues("incremental"))
			errI := inc.ctl.run(ctx, mode)
			errF := full.ctl.run(ctx, runFull)
			if (errI == nil) != (errF == nil) {
				t.Fatalf("seq %d step %d: incremental error %v, full error %v", seq, step, errI, errF)
			}
			total++
			if testutil.ToFloat64(inc.ctl.Metrics.runs.WithLabelValues("incremental")) > before {
				incremental++
				if mode == runResync {
					incResyncs++
				}
			}
			where := fmt.Sprintf("seq %d step %d (%s run", seq, step, map[runMode]string{runEvent: "event", runResync: "resync"}[mode])
			if outside != "" {
				where += ", after: " + outside
			}
			where += ")"
			if debugSeq == seq {
				t.Logf("%s: errs %v %v\n%s\nfull:\n%s\nzone %q\nfull zone %q", where, errI, errF, describeChanges(inc.tried), describeChanges(full.tried), inc.zone(t), full.zone(t))
			}
			if a, b := describeChanges(inc.tried), describeChanges(full.tried); a != b {
				t.Fatalf("%s: batches differ\nincremental:\n%s\nfull:\n%s", where, a, b)
			}
			if a, b := inc.zone(t), full.zone(t); !slices.Equal(a, b) {
				t.Fatalf("%s: zones differ\nincremental: %q\nfull: %q", where, a, b)
			}
			if a, b := inc.indexCurrent(), inc.zone(t); !slices.Equal(a, b) {
				t.Fatalf("%s: the incremental index's records are not the zone's\nindex: %q\nzone: %q", where, a, b)
			}
			if a, b := inc.conflicts(), full.conflicts(); !slices.Equal(a, b) {
				t.Fatalf("%s: conflicts differ\nincremental: %q\nfull: %q", where, a, b)
			}
			if a, b := inc.standing(), full.standing(); !slices.Equal(a, b) {
				t.Fatalf("%s: standing reports differ\nincremental: %q\nfull: %q", where, a, b)
			}
			for _, n := range []string{"n0.example.com", "n1.example.com", "n6.example.com"} {
				a, b := inc.ctl.Explain(n, ""), full.ctl.Explain(n, "")
				a.Reconciled, b.Reconciled = time.Time{}, time.Time{}
				a.LastChange, b.LastChange = nil, nil
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Fatalf("%s: explanations of %s differ\nincremental: %+v\nfull: %+v", where, n, a, b)
				}
			}
		}
	}
	t.Logf("%d sequences, %d steps: %d runs were incremental, %d of %d resyncs; %d outside writes landed", sequences, total, incremental, incResyncs, resyncs, wrote)
	if incremental < total/3 {
		t.Errorf("only %d of %d runs were incremental", incremental, total)
	}
	if incResyncs < resyncs/4 {
		t.Errorf("only %d of %d resyncs were incremental: the zone version does not let them skip the read", incResyncs, resyncs)
	}
	if wrote < sequences/4 {
		t.Errorf("only %d outside writes landed: the test does not exercise them", wrote)
	}
}

var debugSeq = -1

// TestAfterRun: the hook runs after every reconcile, told whether it was
// a full one (the cli returns free heap after those, and after others
// only when much is kept).
func TestAfterRun(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	calls, fulls := 0, 0
	w.ctl.AfterRun = func(full bool) {
		calls++
		if full {
			fulls++
		}
	}
	steps := []struct {
		mode      runMode
		change    string
		wantKind  string
		wantFulls int
	}{
		{runEvent, "service/a/o0", "full", 1}, // nothing indexed yet: full
		{runEvent, "service/a/o1", "incremental", 1},
		{runResync, "", "incremental", 1},
		{runFull, "", "full", 2},
		{runEvent, "ingress/b/o3", "incremental", 2},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i, s := range steps {
		if s.change != "" {
			w.src.set(s.change, randomObject(r, s.change))
		}
		before := testutil.ToFloat64(w.ctl.Metrics.runs.WithLabelValues(s.wantKind))
		if err := w.ctl.run(ctx, s.mode); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := testutil.ToFloat64(w.ctl.Metrics.runs.WithLabelValues(s.wantKind)); got != before+1 {
			t.Fatalf("step %d: not a %s run", i, s.wantKind)
		}
		if calls != i+1 || fulls != s.wantFulls {
			t.Errorf("step %d (%s run): AfterRun called %d times in all, %d for full runs; want %d, %d", i, s.wantKind, calls, fulls, i+1, s.wantFulls)
		}
	}
}
