package route53

import (
	"sync"
	"testing"
	"time"

	"github.com/exodns/exodns/test/route53fake"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func seedSteadyZone(tb testing.TB) (*env, func(cfg Config, c *clock, countChecks int) *cluster) {
	e := newEnv(tb, route53fake.Options{Rate: -1})
	e.fake.AddZone("example.com", false, nil)
	cfg := testConfig()
	cfg.APIRateLimit = 0
	desired := manyEndpoints(5000)
	seed := e.cluster("c1", "", cfg)
	if _, err := seed.sync(desired...); err != nil {
		tb.Fatal(err)
	}
	start := func(cfg Config, clk *clock, countChecks int) *cluster {
		c := e.clusterWith("c1", "", cfg, Options{Now: clk.now})
		c.p.countChecks = countChecks
		if ch, err := c.sync(desired...); err != nil || ch.HasChanges() {
			tb.Fatalf("warm-up: %v, %d changes", err, ch.Len())
		}
		c.api.reset()
		return c
	}
	return e, start
}

// TestSteadyStateCalls counts the API calls of ten reconciles of a
// converged 10,000-set zone, against upstream's way of listing the zone
// every loop (34 pages of 300, plus the zone list).
func TestSteadyStateCalls(t *testing.T) {
	if testing.Short() {
		t.Skip("10k record sets")
	}
	_, start := seedSteadyZone(t)
	desired := manyEndpoints(5000)
	cases := []struct {
		name        string
		step        time.Duration // time between loops
		resync      time.Duration
		countChecks int
		max, min    int64
	}{
		{"within one resync interval (loops 30s apart)", 30 * time.Second, 10 * time.Minute, maxCountChecks, 0, 0},
		{"across a resync (loops 1m apart, 10m resync)", time.Minute, 10 * time.Minute, maxCountChecks, 1, 1},
		{"every loop a resync, hourly full list", 10 * time.Minute, 10 * time.Minute, maxCountChecks, 10 + 34, 10 + 34},
		{"upstream: list everything every loop", time.Minute, time.Nanosecond, 0, 350, 350},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.APIRateLimit = 0
			cfg.ZoneResyncInterval = tc.resync
			clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			c := start(cfg, clk, tc.countChecks)
			for range 10 {
				clk.advance(tc.step)
				ch, err := c.sync(desired...)
				if err != nil || ch.HasChanges() {
					t.Fatalf("loop: %v, %d changes", err, ch.Len())
				}
			}
			n := c.api.total()
			t.Logf("10 loops: %d calls (%d ListHostedZones, %d ListResourceRecordSets)", n,
				c.api.calls["ListHostedZones"].Load(), c.api.calls["ListResourceRecordSets"].Load())
			if n < tc.min || n > tc.max {
				t.Errorf("%d calls, want %d..%d", n, tc.min, tc.max)
			}
		})
	}
}

// BenchmarkSteadyStateLoop runs reconciles of a converged 10,000-set zone
// one minute apart (upstream's default --interval) and reports the API
// calls per loop: cached (10-minute resync, hourly full list) against
// listing everything every loop.
func BenchmarkSteadyStateLoop(b *testing.B) {
	_, start := seedSteadyZone(b)
	desired := manyEndpoints(5000)
	for _, bc := range []struct {
		name        string
		resync      time.Duration
		countChecks int
	}{
		{"cached", 10 * time.Minute, maxCountChecks},
		{"relist-every-loop", time.Nanosecond, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := testConfig()
			cfg.APIRateLimit = 0
			cfg.ZoneResyncInterval = bc.resync
			clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			c := start(cfg, clk, bc.countChecks)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				clk.advance(time.Minute)
				if _, err := c.sync(desired...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.api.total())/float64(b.N), "calls/loop")
		})
	}
}
