package cli

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// testReturner is the cli's returner with its timer taken out: a check it
// schedules is kept in checks, with its delay, for the test to run.
type testReturner struct {
	*heapReturner
	checks []func()
	delays []time.Duration
}

func newTestReturner(interval time.Duration) *testReturner {
	r := &testReturner{heapReturner: newHeapReturner(interval, slog.New(slog.DiscardHandler))}
	r.after = func(d time.Duration, f func()) { r.delays, r.checks = append(r.delays, d), append(r.checks, f) }
	return r
}

func TestHeapReturnerSpacing(t *testing.T) {
	for _, c := range []struct {
		name     string
		interval time.Duration
		at       []time.Duration // times of full runs, from the first
		want     int
	}{
		{"first run", time.Minute, []time.Duration{0}, 1},
		{"one per interval", time.Minute, []time.Duration{0, 30 * time.Second, 59 * time.Second, time.Minute, 90 * time.Second, 2 * time.Minute}, 3},
		{"burst of full runs from events", time.Minute, []time.Duration{0, 5 * time.Second, 10 * time.Second, 15 * time.Second}, 1},
		{"short interval", 10 * time.Second, []time.Duration{0, 5 * time.Second, 10 * time.Second, 25 * time.Second}, 3},
		{"no interval means a minute", 0, []time.Duration{0, 30 * time.Second, 61 * time.Second}, 2},
	} {
		t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		var now time.Time
		frees := 0
		h := newTestReturner(c.interval)
		h.now = func() time.Time { return now }
		h.free = func() { frees++ }
		h.heap = func() heapState { return heapState{} } // nothing kept: only full runs return
		for _, d := range c.at {
			now = t0.Add(d)
			h.afterRun(true)
			h.afterRun(false)
		}
		if frees != c.want {
			t.Errorf("%s: %d returns, want %d", c.name, frees, c.want)
		}
	}
}

// TestHeapReturnerStarted: what only starting needed is let go once,
// after the first run, whether it was full or not, and never again.
func TestHeapReturnerStarted(t *testing.T) {
	for _, c := range []struct {
		name string
		runs []bool // full or not
	}{
		{"full runs", []bool{true, true, true}},
		{"an incremental run first", []bool{false, true, false}},
		{"one run", []bool{true}},
	} {
		now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		started, frees := 0, 0
		h := newTestReturner(time.Minute)
		h.now = func() time.Time { return now }
		h.free = func() { frees++ }
		h.heap = func() heapState { return heapState{} }
		h.started = func() {
			if frees == 0 {
				t.Errorf("%s: started before the heap was returned", c.name)
			}
			started++
		}
		for _, full := range c.runs {
			h.afterRun(full)
			now = now.Add(2 * time.Minute)
		}
		if started != 1 {
			t.Errorf("%s: started called %d times, want once", c.name, started)
		}
	}
}

// TestHeapReturnerKeptHeap: after a run that is not full, free heap goes
// back only when much is kept (8 MiB and a quarter of the heap in use),
// or much garbage waits (4 MiB and an eighth of the live heap), and at
// most every 2 s.
func TestHeapReturnerKeptHeap(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name  string
		heap  heapState
		after time.Duration // since the last return
		want  bool
	}{
		{"startup burst left 10 MiB", heapState{free: 10 * mib, inUse: 30 * mib, objects: 25 * mib, live: 25 * mib}, 5 * time.Second, true},
		{"a little kept", heapState{free: 2 * mib, inUse: 30 * mib, objects: 25 * mib, live: 25 * mib}, 5 * time.Second, false},
		{"8 MiB of a large heap", heapState{free: 8 * mib, inUse: 200 * mib, objects: 190 * mib, live: 190 * mib}, 5 * time.Second, false},
		{"a quarter of a large heap", heapState{free: 60 * mib, inUse: 200 * mib, objects: 190 * mib, live: 190 * mib}, 5 * time.Second, true},
		{"just returned", heapState{free: 10 * mib, inUse: 30 * mib, objects: 25 * mib, live: 25 * mib}, time.Second, false},
		{"a changed object's garbage", heapState{inUse: 34 * mib, objects: 31 * mib, live: 25 * mib}, 5 * time.Second, true},
		{"a little garbage", heapState{inUse: 30 * mib, objects: 28 * mib, live: 25 * mib}, 5 * time.Second, false},
		{"4 MiB of garbage beside a large heap", heapState{inUse: 210 * mib, objects: 204 * mib, live: 200 * mib}, 5 * time.Second, false},
		{"an eighth of a large heap", heapState{inUse: 240 * mib, objects: 230 * mib, live: 200 * mib}, 5 * time.Second, true},
		{"live grew past the last mark", heapState{inUse: 30 * mib, objects: 20 * mib, live: 25 * mib}, 5 * time.Second, false},
		{"garbage, but just returned", heapState{inUse: 34 * mib, objects: 31 * mib, live: 25 * mib}, time.Second, false},
	} {
		t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		now := t0
		frees := 0
		h := newTestReturner(time.Minute)
		h.now = func() time.Time { return now }
		h.free = func() { frees++ }
		h.heap = func() heapState { return c.heap }
		h.afterRun(true) // the first full run returns
		now = t0.Add(c.after)
		h.afterRun(false)
		if got := frees == 2; got != c.want {
			t.Errorf("%s: returned %v, want %v", c.name, got, c.want)
		}
	}
}

// TestHeapReturnerSpareDropped: when the TXT registry lets its spare
// snapshot go, the returner gives the garbage back, unless it just did.
func TestHeapReturnerSpareDropped(t *testing.T) {
	for _, c := range []struct {
		name  string
		after time.Duration // since the last return, after a full run
		want  bool
	}{
		{"15 s after a full run", 15 * time.Second, true},
		{"just after a return", time.Second, false},
	} {
		t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		now := t0
		frees := 0
		h := newTestReturner(time.Minute)
		h.now = func() time.Time { return now }
		h.free = func() { frees++ }
		h.afterRun(true)
		now = t0.Add(c.after)
		h.spareDropped()
		if got := frees == 2; got != c.want {
			t.Errorf("%s: returned %v, want %v", c.name, got, c.want)
		}
	}
}

// TestHeapReturnerReturnsFreePages: the returner the cli builds really gives
// free heap back (a returner that forgot to would keep the pages).
//
// Whatever else runs in the process can take the free pages first: any
// allocation that grows the heap makes the runtime scavenge free pages over
// its goal, and goroutines of earlier tests may still allocate (a CI run
// under load saw 7 of 64 MiB still free when the returner ran). Such an
// attempt proves nothing either way and is made again; one in which the
// free pages were there must see them returned.
func TestHeapReturnerReturnsFreePages(t *testing.T) {
	free := func() uint64 {
		st := readHeap()
		if st.inUse == 0 {
			t.Fatal("readHeap: no heap in use")
		}
		return st.free
	}
	for attempt := 1; attempt <= 10; attempt++ {
		var sink [][]byte
		for range 64 {
			sink = append(sink, make([]byte, 1<<20))
		}
		sink[0][0] = 1
		sink = nil
		runtime.GC()
		before := free()
		if before < 32<<20 {
			t.Logf("attempt %d: only %d MiB of the 64 freed were still free: taken before the returner ran", attempt, before>>20)
			continue
		}
		h := newTestReturner(time.Minute)
		h.afterRun(true)
		if after := free(); before < after+16<<20 {
			t.Fatalf("free heap not returned: %d MiB before, %d MiB after", before>>20, after>>20)
		}
		return
	}
	t.Fatal("in 10 attempts the free heap was always returned by something else before the returner ran")
}

// TestHeapReturnerCollectsGarbage: garbage a run left is collected by the
// returner the cli builds, after a run that is not full (a returner that
// only looked at free pages would leave it to the collector's own goal).
// A returner left by an earlier test (its check on a timer) may collect
// the garbage first: such an attempt proves nothing and is made again.
func TestHeapReturnerCollectsGarbage(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no collection but ours
	for attempt := 1; attempt <= 10; attempt++ {
		runtime.GC()
		var sink [][]byte
		for range 32 {
			sink = append(sink, make([]byte, 1<<20))
		}
		sink[0][0] = 1
		sink = nil
		before := readHeap()
		if !before.collectable() {
			t.Logf("attempt %d: 32 MiB of garbage not seen: %+v", attempt, before)
			continue
		}
		now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		h := newHeapReturner(time.Minute, slog.New(slog.DiscardHandler))
		h.now = func() time.Time { return now }
		h.started = func() {}
		h.last = now // a run returned just now; the next is no full one
		now = now.Add(keptGap)
		h.afterRun(false)
		after := readHeap()
		if before.objects < after.objects+16<<20 {
			t.Fatalf("garbage not collected: %d MiB of heap objects before, %d MiB after (live %d MiB)", before.objects>>20, after.objects>>20, after.live>>20)
		}
		return
	}
	t.Fatal("in 10 attempts the garbage was never seen: collectable is wrong, or something else collects")
}

// TestHeapReturnerChecksLater: a run or a dropped spare too soon after the
// last return leaves one check for when keptGap has passed, which returns
// only if much is still kept or waits as garbage: the garbage of the run
// that ends a burst is not left until the next one.
func TestHeapReturnerChecksLater(t *testing.T) {
	const mib = 1 << 20
	garbage := heapState{inUse: 34 * mib, objects: 31 * mib, live: 25 * mib}
	for _, c := range []struct {
		name      string
		soon      []func(h *heapReturner) // each 0.5 s after the one before, the first 0.5 s after a return
		heap      heapState               // when the check runs
		wantDelay time.Duration
		want      bool
	}{
		{"a run's garbage", []func(*heapReturner){func(h *heapReturner) { h.afterRun(false) }}, garbage, 1500 * time.Millisecond, true},
		{"a burst of runs: one check", []func(*heapReturner){func(h *heapReturner) { h.afterRun(false) }, func(h *heapReturner) { h.afterRun(true) }, func(h *heapReturner) { h.afterRun(false) }}, garbage, 1500 * time.Millisecond, true},
		{"collected meanwhile", []func(*heapReturner){func(h *heapReturner) { h.afterRun(false) }}, heapState{inUse: 26 * mib, objects: 25 * mib, live: 25 * mib}, 1500 * time.Millisecond, false},
		{"the spare dropped", []func(*heapReturner){func(h *heapReturner) { h.spareDropped() }}, garbage, 1500 * time.Millisecond, true},
	} {
		now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		frees := 0
		h := newTestReturner(time.Minute)
		h.now = func() time.Time { return now }
		h.free = func() { frees++ }
		h.started = func() {}
		h.heap = func() heapState { return heapState{} }
		h.afterRun(true)
		for _, f := range c.soon {
			now = now.Add(500 * time.Millisecond)
			f(h.heapReturner)
		}
		checks, delays := h.checks, h.delays
		if frees != 1 || len(checks) != 1 || delays[0] != c.wantDelay {
			t.Fatalf("%s: %d returns and checks after %v, want 1 return and one check after %v", c.name, frees, delays, c.wantDelay)
		}
		now = now.Add(keptGap) // past the check's time
		h.heap = func() heapState { return c.heap }
		checks[0]()
		if got := frees == 2; got != c.want {
			t.Errorf("%s: the check returned %v, want %v", c.name, got, c.want)
		}
		// Nothing is due any more: another run soon after schedules anew.
		if len(h.checks) != 1 {
			t.Errorf("%s: the check scheduled %d more", c.name, len(h.checks)-1)
		}
	}
}

// TestHeapReturnerCheckRearms: a check that finds a return made since it
// was scheduled (a full run) looks again keptGap after that one.
func TestHeapReturnerCheckRearms(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	h := newTestReturner(time.Second)
	h.now = func() time.Time { return now }
	h.free = func() {}
	h.started = func() {}
	h.heap = func() heapState { return heapState{} }
	h.afterRun(true)
	now = now.Add(time.Second)
	h.afterRun(false) // too soon: a check in 1 s
	now = now.Add(500 * time.Millisecond)
	h.last = now // as a return after a full run would set it, the check still pending
	now = now.Add(time.Second)
	h.checks[0]()
	if len(h.checks) != 2 || h.delays[1] != time.Second {
		t.Fatalf("checks after %v, want a second one after 1s", h.delays)
	}
}
