package cli

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestCgroupMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, value string
		want        int64
	}{
		{"v2", "268435456\n", 256 << 20},
		{"unlimited-v2", "max\n", 0},
		{"unlimited-v1", "9223372036854771712\n", 0},
		{"garbage", "lots", 0},
	} {
		if got := cgroupMemoryLimit([]string{write(c.name, c.value)}); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if got := cgroupMemoryLimit([]string{filepath.Join(dir, "missing"), write("v1", "1048576")}); got != 1<<20 {
		t.Errorf("fallback to v1: %d", got)
	}
}

func TestSetGCPercent(t *testing.T) {
	for _, c := range []struct {
		name, env string
		want      int
	}{
		{"unset", "", defaultGCPercent},
		{"set by the user", "200", 0},
		{"off", "off", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOGC", c.env)
			prev := debug.SetGCPercent(100)
			defer debug.SetGCPercent(prev)
			if got := setGCPercent(slog.New(slog.DiscardHandler)); got != c.want {
				t.Errorf("setGCPercent %d, want %d", got, c.want)
			}
			want := 100
			if c.want != 0 {
				want = c.want
			}
			if got := debug.SetGCPercent(100); got != want {
				t.Errorf("GC percent %d, want %d", got, want)
			}
		})
	}
}

func TestSetMemProfileRate(t *testing.T) {
	defer func(r int) { runtime.MemProfileRate = r }(runtime.MemProfileRate)
	runtime.MemProfileRate = 512 * 1024
	if got := setMemProfileRate(true); got != 512*1024 {
		t.Fatalf("with pprof the rate is %d, want it left at 512 KiB", got)
	}
	if got := setMemProfileRate(false); got != 0 || runtime.MemProfileRate != 0 {
		t.Fatalf("without pprof the rate is %d, want 0 (no sampling)", got)
	}
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
		h := newHeapReturner(c.interval, slog.New(slog.DiscardHandler))
		h.now = func() time.Time { return now }
		h.free = func() { frees++ }
		h.kept = func() (uint64, uint64) { return 0, 0 } // nothing kept: only full runs return
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

// TestHeapReturnerKeptHeap: after a run that is not full, free heap goes
// back only when much is kept (8 MiB and a quarter of the heap in use),
// and at most every 2 s.
func TestHeapReturnerKeptHeap(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name        string
		free, inUse uint64
		after       time.Duration // since the last return
		want        bool
	}{
		{"startup burst left 10 MiB", 10 * mib, 30 * mib, 5 * time.Second, true},
		{"a little kept", 2 * mib, 30 * mib, 5 * time.Second, false},
		{"8 MiB of a large heap", 8 * mib, 200 * mib, 5 * time.Second, false},
		{"a quarter of a large heap", 60 * mib, 200 * mib, 5 * time.Second, true},
		{"just returned", 10 * mib, 30 * mib, time.Second, false},
	} {
		t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
		now := t0
		frees := 0
		h := newHeapReturner(time.Minute, slog.New(slog.DiscardHandler))
		h.now = func() time.Time { return now }
		h.free = func() { frees++ }
		h.kept = func() (uint64, uint64) { return c.free, c.inUse }
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
		h := newHeapReturner(time.Minute, slog.New(slog.DiscardHandler))
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
		f, inUse := heapKept()
		if inUse == 0 {
			t.Fatal("heapKept: no heap in use")
		}
		return f
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
		newHeapReturner(time.Minute, slog.New(slog.DiscardHandler)).afterRun(true)
		if after := free(); before < after+16<<20 {
			t.Fatalf("free heap not returned: %d MiB before, %d MiB after", before>>20, after>>20)
		}
		return
	}
	t.Fatal("in 10 attempts the free heap was always returned by something else before the returner ran")
}
