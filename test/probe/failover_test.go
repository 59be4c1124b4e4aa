//go:build integration

package probe_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/probe"
)

const (
	interval = 100 * time.Millisecond
	timeout  = 300 * time.Millisecond
	outage   = 1500 * time.Millisecond
	// slack allows for what a check's own time adds at either end of a
	// window: a check that began just before a change sees it when it
	// resolves or connects, and one that just missed it is repeated an
	// interval later, possibly after waiting out a time-out.
	early = 200 * time.Millisecond
	late  = interval + timeout + 200*time.Millisecond
)

// watcher follows the probe's checks as they happen, so the scenario can
// wait for the probe to see a state instead of sleeping.
type watcher struct {
	mu     sync.Mutex
	cond   *sync.Cond
	checks []probe.Check
}

func newWatcher() *watcher {
	w := &watcher{}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *watcher) add(c probe.Check) {
	w.mu.Lock()
	w.checks = append(w.checks, c)
	w.mu.Unlock()
	w.cond.Broadcast()
}

// waitUp waits until n checks in a row that began after since were up at
// cluster, or fails the test after 20 s.
func (w *watcher) waitUp(t *testing.T, since time.Time, cluster string, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	stop := time.AfterFunc(20*time.Second, w.cond.Broadcast)
	defer stop.Stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		run := 0
		for _, c := range w.checks {
			switch {
			case c.Time.Before(since):
			case c.Up && c.Cluster == cluster:
				run++
			default:
				run = 0
			}
		}
		if run >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the probe did not see %d up checks at %s in 20 s", n, cluster)
		}
		w.cond.Wait()
	}
}

// window is a downtime the test caused.
type window struct {
	what       string
	begin, end time.Time
	causes     []string // the outcomes its checks may have
	from, to   string   // clusters before and after
}

// TestFailoverWindows runs the failover probe while the test breaks the
// service five ways (backend stopped and restarted; stopped and DNS moved
// to the other cluster; 503s; SERVFAIL; a hung backend), and checks the
// probe measured each downtime, and only those.
func TestFailoverWindows(t *testing.T) {
	a, _, port := startBackends(t)
	d := startDNS(t)
	d.set(func(d *dnsServer) { d.fixed = ipA })
	dir := artifacts(t)
	w := newWatcher()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var live bytes.Buffer
	resolver, err := probe.NewDNSResolver(d.addr)
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		res probe.FailoverResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := probe.Failover(ctx, probe.FailoverConfig{
			Common: probe.Common{URL: fmt.Sprintf("http://%s:%d/", host, port), Resolver: resolver,
				Interval: interval, Timeout: timeout, Out: &live},
			Duration: 2 * time.Minute, // a bound; the scenario ends the run when it is done
			OnCheck:  w.add,
		})
		done <- outcome{res, err}
	}()

	var did []window
	// cause breaks the service, waits out the outage, mends it, and waits
	// until the probe sees the service up again.
	cause := func(what, from, to string, causes []string, breakIt, mendIt func()) {
		w.waitUp(t, time.Now(), from, 3)
		begin := time.Now()
		breakIt()
		time.Sleep(outage) // the outage itself: what the probe must measure
		end := time.Now()
		mendIt()
		did = append(did, window{what, begin, end, causes, from, to})
		w.waitUp(t, end, to, 3)
	}
	cause("backend stopped and restarted", "cluster-a", "cluster-a", []string{probe.KindRefused, probe.KindReset},
		a.stop, a.start)
	cause("backend stopped, DNS moved to the other cluster", "cluster-a", "cluster-b", []string{probe.KindRefused, probe.KindReset},
		a.stop, func() { d.set(func(d *dnsServer) { d.fixed = ipB }) })
	// Back to cluster-a without downtime: it is up before DNS moves back.
	a.start()
	d.set(func(d *dnsServer) { d.fixed = ipA })
	cause("503 from the backend", "cluster-a", "cluster-a", []string{"status 503"},
		func() { a.mode.Store(fail503) }, func() { a.mode.Store(serve) })
	cause("SERVFAIL from DNS", "cluster-a", "cluster-a", []string{probe.KindDNS},
		func() { d.set(func(d *dnsServer) { d.servfail = true }) }, func() { d.set(func(d *dnsServer) { d.servfail = false }) })
	cause("backend hangs", "cluster-a", "cluster-a", []string{probe.KindTimeout},
		func() { a.mode.Store(hang) }, func() { a.mode.Store(serve) })
	cancel()
	got := <-done
	if got.err != nil {
		t.Fatal(got.err)
	}
	res := got.res
	t.Logf("live output:\n%s", live.String())
	var sum bytes.Buffer
	_ = res.WriteSummary(&sum)
	t.Logf("%s", sum.String())
	for _, name := range []string{"failover.svg", "failover.png"} {
		if err := res.Plot(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := res.WriteJSONFile(filepath.Join(dir, "failover.json")); err != nil {
		t.Fatal(err)
	}

	if len(res.Downtimes) != len(did) {
		t.Fatalf("measured %d downtimes, the test caused %d", len(res.Downtimes), len(did))
	}
	for i, want := range did {
		m := res.Downtimes[i]
		if m.Start.Before(want.begin.Add(-early)) || m.Start.After(want.begin.Add(late)) ||
			m.End.Before(want.end.Add(-early)) || m.End.After(want.end.Add(late)) {
			t.Errorf("%s: measured %s..%s, caused %s..%s (±%v/%v)", want.what, m.Start.Format("15:04:05.000"),
				m.End.Format("15:04:05.000"), want.begin.Format("15:04:05.000"), want.end.Format("15:04:05.000"), early, late)
		}
		for _, c := range m.Causes {
			if !contains(want.causes, c.Name) {
				t.Errorf("%s: a check failed as %q, want only %v", want.what, c.Name, want.causes)
			}
		}
		if m.TargetBefore != want.from || m.TargetAfter != want.to || m.Open {
			t.Errorf("%s: %s -> %s (open %v), want %s -> %s", want.what, m.TargetBefore, m.TargetAfter, m.Open, want.from, want.to)
		}
		t.Logf("%-48s caused %.3fs, measured %.3fs (%d failed checks)", want.what,
			want.end.Sub(want.begin).Seconds(), m.DurationMS/1000, m.FailedChecks)
	}
	if res.Summary.Events != len(did) || res.Summary.Down == 0 || res.Summary.Up+res.Summary.Down != res.Summary.Checks {
		t.Errorf("summary %+v", res.Summary)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
