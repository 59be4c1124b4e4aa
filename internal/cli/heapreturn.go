package cli

import (
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// heapReturner hands the heap's free pages back to the kernel after a full
// reconcile. A full run (the first one; a periodic one when the zone
// changed under us or the safety net is due; an event of a source that
// cannot say what changed) makes the most garbage a converged controller
// makes: whole lists of records read, planned and written. The runtime's
// scavenger keeps free pages up to some 10% over the heap goal, which at
// GOGC=50 is half again the live heap, so after that burst the process
// would sit on 8 to 14 MiB of free heap until the next one (TestScale at
// 10,000 objects, "idle kept" of 47 to 51 MiB of heap, bench/scale-free.txt). One
// forced collection per interval gives them back; the next full run
// faults them in again, so the peak is unchanged and only the time
// between bursts is cheaper.
//
// Any other run gives them back too when much is kept: at start, the
// objects the informers deliver after the first full run are taken in by
// incremental runs, and a third of TestScale's runs then sat on 8 to 10
// MiB of free heap ("idle kept") until the next full run, an hour later
// with a versioned provider.
//
// Or when much garbage waits for a collection. At GOGC=50 the collector
// lets the heap grow by half the live heap before it runs, and a
// converged controller allocates slowly, so the garbage of its last runs
// (a changed object's plan, its events, a /metrics scrape) stayed in
// resident pages for minutes: at 10,000 objects, 30.7 MiB of heap
// objects against 25 live, the difference between TestScale's 45.6 MiB
// RSS at convergence and 40 (bench/binary-pages.txt). The JVM's G1 does
// the same for an idle process (JEP 346); here it is one collection after
// a run that left at least garbageAtLeast and an eighth of the live heap,
// at most once per keptGap, so a busy process's collections are not
// multiplied: it would reach its own goal within a few such runs anyway.
type heapReturner struct {
	// gap is the least time between two returns after full runs, so that
	// sources which make every event a full run (every
	// --min-event-sync-interval) do not force a collection each time.
	gap  time.Duration
	now  func() time.Time
	free func()
	// heap reads the heap's state (readHeap).
	heap func() heapState
	// started is called once, after the first run: what only starting
	// needed can go (releaseBinaryPages).
	started func()
	log     *slog.Logger
	// mu guards last and pending: the TXT registry's timer calls
	// spareDropped, and check runs on a timer, beside the controller's
	// afterRun.
	mu   sync.Mutex
	last time.Time
	// after runs f after d (time.AfterFunc); pending says a check is due.
	after   func(d time.Duration, f func())
	pending bool
}

// Another run returns the free heap when it keeps at least keptAtLeast and
// a quarter of the heap in use, or collects when at least garbageAtLeast
// and an eighth of the live heap wait as garbage; at most once per
// keptGap: piling that up again takes that much allocation, which costs a
// collection of its own, so the forced ones stay a small share of the
// collector's work.
const (
	keptAtLeast    = 8 << 20
	garbageAtLeast = 4 << 20
	keptGap        = 2 * time.Second
)

func newHeapReturner(interval time.Duration, log *slog.Logger) *heapReturner {
	if interval <= 0 {
		interval = time.Minute
	}
	h := &heapReturner{gap: interval, now: time.Now, free: debug.FreeOSMemory, heap: readHeap, log: log,
		after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
	h.started = func() {
		t := time.Now()
		n, err := releaseBinaryPages()
		if err != nil {
			log.Debug("the binary's pages stay resident", "error", err)
			return
		}
		log.Debug("the binary's pages read while starting were given back", "mapped", n, "took", time.Since(t))
	}
	return h
}

// heapState is what the returner decides by.
type heapState struct {
	// free is the free heap not yet returned to the kernel.
	free uint64
	// inUse is the heap in spans holding objects, live or dead.
	inUse uint64
	// objects is the heap objects' bytes, the garbage the sweeper has not
	// yet reached included; live is what the last collection marked.
	objects, live uint64
}

// returnable says much free heap is kept from the kernel.
func (s heapState) returnable() bool {
	return s.free >= keptAtLeast && s.free >= s.inUse/4
}

// collectable says much garbage waits for a collection: objects allocated
// since the last one, less what they keep live, which is at most their
// size.
func (s heapState) collectable() bool {
	if s.objects <= s.live {
		return false
	}
	garbage := s.objects - s.live
	return garbage >= garbageAtLeast && garbage >= s.live/8
}

// readHeap reads the heap's state from runtime/metrics, which stops no
// goroutine.
func readHeap() heapState {
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return heapState{free: s[0].Value.Uint64(), inUse: s[1].Value.Uint64() + s[2].Value.Uint64(),
		objects: s[1].Value.Uint64(), live: s[3].Value.Uint64()}
}

// afterRun is the controller's AfterRun.
func (h *heapReturner) afterRun(full bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.now()
	switch {
	case h.last.IsZero():
		defer h.started()
	case full && t.Sub(h.last) >= h.gap:
	case h.tooSoon(t):
		return
	default:
		if st := h.heap(); !st.returnable() && !st.collectable() {
			return
		}
	}
	h.release(t, "after a run", "full run", full)
}

// tooSoon says t is within keptGap of the last return, and then has check
// run when keptGap has passed, unless one is due already: else the
// garbage of the run that ends a burst (the last change before a quiet
// hour) would stay. Called with mu held.
func (h *heapReturner) tooSoon(t time.Time) bool {
	since := t.Sub(h.last)
	if h.last.IsZero() || since >= keptGap {
		return false
	}
	if !h.pending {
		h.pending = true
		h.after(keptGap-since, h.check)
	}
	return true
}

// check returns the free heap or collects the garbage if either is much,
// keptGap after the last return.
func (h *heapReturner) check() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending = false
	t := h.now()
	if h.tooSoon(t) { // returned meanwhile: look again later
		return
	}
	if st := h.heap(); st.returnable() || st.collectable() {
		h.release(t, "garbage or free heap left by recent runs")
	}
}

// release gives the free heap back, at t, and says why. Called with mu
// held.
func (h *heapReturner) release(t time.Time, why string, attrs ...any) {
	h.last = t
	h.free()
	h.log.Debug("free heap returned to the kernel", append([]any{"why", why, "took", h.now().Sub(t)}, attrs...)...)
}

// spareDropped is the TXT registry's SpareDropped: the snapshot it kept
// for a burst of full reads is garbage now (some 500 bytes a record), and
// an idle process would keep its pages until a collection minutes away.
// At most once per keptGap, like other returns.
func (h *heapReturner) spareDropped() {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.now()
	if h.tooSoon(t) {
		return
	}
	h.release(t, "the TXT registry's spare snapshot was let go")
}
