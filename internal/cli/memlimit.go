package cli

import (
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memLimitShare is the part of the container's memory limit given to the Go
// heap as a soft limit: the rest is for what the runtime does not count
// (stacks, fragmentation, the binary) and a margin before the OOM killer.
const memLimitShare = 0.9

// defaultGCPercent is the collector's target when GOGC is unset. Most of
// the heap lives as long as the process (the informer caches, the zone,
// the ownership records), so Go's default of 100 lets the heap, and the
// RSS with it, grow to twice that before collecting. At 50, TestScale
// (10,000 objects, 45 MiB live) ends 8 to 22 MiB smaller in RSS at
// convergence; the start costs some 0.2 s more GC CPU (35 cycles instead
// of 15 for 180 MiB allocated), and a full resync one extra cycle, tens
// of milliseconds, a minute (see bench/scale-after.txt).
const defaultGCPercent = 50

// setGCPercent sets defaultGCPercent unless GOGC is set, and returns the
// value set, or 0.
func setGCPercent(log *slog.Logger) int {
	if os.Getenv("GOGC") != "" {
		return 0
	}
	debug.SetGCPercent(defaultGCPercent)
	log.Debug("garbage collector target set", "GOGC", defaultGCPercent)
	return defaultGCPercent
}

// setMemProfileRate stops the runtime's sampling of allocations unless the
// heap profile can be read (--enable-pprof). Nothing else reads those
// samples, and their bucket table alone is 1.4 MB of resident memory
// (go_memstats_buck_hash_sys_bytes), a few percent of a converged process
// at 10k objects. It returns the rate left in effect.
func setMemProfileRate(pprof bool) int {
	if !pprof {
		runtime.MemProfileRate = 0
	}
	return runtime.MemProfileRate
}

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
type heapReturner struct {
	// gap is the least time between two returns after full runs, so that
	// sources which make every event a full run (every
	// --min-event-sync-interval) do not force a collection each time.
	gap  time.Duration
	now  func() time.Time
	free func()
	// kept returns the free heap the runtime keeps from the kernel and the
	// heap in use.
	kept func() (free, inUse uint64)
	log  *slog.Logger
	// mu guards last: the TXT registry's timer calls spareDropped beside
	// the controller's afterRun.
	mu   sync.Mutex
	last time.Time
}

// Another run returns the free heap when it keeps at least keptAtLeast and
// a quarter of the heap in use, at most once per keptGap: piling that up
// again takes that much allocation, which costs a collection of its own,
// so the forced ones stay a small share of the collector's work.
const (
	keptAtLeast = 8 << 20
	keptGap     = 2 * time.Second
)

func newHeapReturner(interval time.Duration, log *slog.Logger) *heapReturner {
	if interval <= 0 {
		interval = time.Minute
	}
	return &heapReturner{gap: interval, now: time.Now, free: debug.FreeOSMemory, kept: heapKept, log: log}
}

// heapKept reads the free heap not yet returned and the heap in use.
func heapKept() (free, inUse uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64() + s[2].Value.Uint64()
}

// afterRun is the controller's AfterRun.
func (h *heapReturner) afterRun(full bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.now()
	since := t.Sub(h.last)
	switch {
	case h.last.IsZero():
	case full && since >= h.gap:
	case since >= keptGap:
		free, inUse := h.kept()
		if free < keptAtLeast || free < inUse/4 {
			return
		}
	default:
		return
	}
	h.release(t, "after a run", "full run", full)
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
	if !h.last.IsZero() && t.Sub(h.last) < keptGap {
		return
	}
	h.release(t, "the TXT registry's spare snapshot was let go")
}

// cgroupMemoryFiles are where the container's memory limit is read: cgroup
// v2, then v1.
var cgroupMemoryFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// setMemoryLimit sets a soft memory limit (runtime/debug.SetMemoryLimit) of
// 90% of the container's cgroup memory limit, unless GOMEMLIMIT is set or
// there is no limit. The garbage collector then works harder as the heap
// nears the limit instead of letting the kernel kill the process. It
// returns the limit set, or 0.
func setMemoryLimit(log *slog.Logger) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	limit := cgroupMemoryLimit(cgroupMemoryFiles)
	if limit <= 0 {
		return 0
	}
	soft := int64(float64(limit) * memLimitShare)
	debug.SetMemoryLimit(soft)
	log.Info("memory limit for the Go runtime set from the container's", "container", limit, "GOMEMLIMIT", soft)
	return soft
}

// cgroupMemoryLimit reads the first limit found in files; 0 means none
// ("max", or cgroup v1's no-limit value near MaxInt64).
func cgroupMemoryLimit(files []string) int64 {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		v := strings.TrimSpace(string(b))
		if v == "max" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || n >= math.MaxInt64/2 {
			return 0
		}
		return n
	}
	return 0
}
