package probe

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestFailoverInterruptedWhileDown is the Ctrl-C path: the context ends
// while the service is down. The result must be complete: the open
// downtime closed at the stop and counted in the summary.
func TestFailoverInterruptedWhileDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newScript(t, upAt(ipA, "a"), upAt(ipA, "a"), refusedAt(ipA), refusedAt(ipA), refusedAt(ipA))
	cfg := FailoverConfig{Common: s.common(time.Second)} // no limit: only the stop ends it
	cfg.OnCheck = func(c Check) {
		if c.Seq == 4 {
			s.clock.now = s.clock.now.Add(300 * time.Millisecond) // Ctrl-C comes a little later
			cancel()
		}
	}
	res, err := Failover(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || len(res.Checks) != 4 {
		t.Fatalf("interrupted %v with %d checks, want true and 4", res.Interrupted, len(res.Checks))
	}
	if !res.Ended.Equal(secs(3.3)) {
		t.Errorf("ended at +%v, want +3.3s", res.Ended.Sub(t0))
	}
	if len(res.Downtimes) != 1 {
		t.Fatalf("downtimes %+v, want the open one", res.Downtimes)
	}
	d := res.Downtimes[0]
	if !d.Open || !d.Start.Equal(secs(2)) || !d.End.Equal(secs(3.3)) || d.DurationMS != 1300 || d.FailedChecks != 2 {
		t.Errorf("open downtime %+v, want 2 s to the stop at 3.3 s, 2 failed checks", d)
	}
	sum := res.Summary
	if sum.Events != 1 || sum.TotalDowntimeMS != 1300 || sum.AvgDowntimeMS != 1300 || sum.MaxDowntimeMS != 1300 ||
		sum.Checks != 4 || sum.Up != 2 || sum.Down != 2 {
		t.Errorf("summary %+v", sum)
	}
	var text bytes.Buffer
	if err := res.WriteSummary(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(interrupted)", "downtimes 1: average 1.300s, max 1.300s, total 1.300s",
		"1.300s (still down at the stop), 2 failed checks (refused 2), a -> -"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, text.String())
		}
	}
}

// TestFailoverInterruptedMidCheck: a check cut off by Ctrl-C says nothing
// about the service, so it is dropped rather than counted as a failure.
func TestFailoverInterruptedMidCheck(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cut := upAt(ipA, "a")
	cut.during = cancel
	s := newScript(t, upAt(ipA, "a"), upAt(ipA, "a"), cut)
	res, err := Failover(ctx, FailoverConfig{Common: s.common(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Checks) != 2 || len(res.Downtimes) != 0 || res.Summary.Down != 0 || !res.Interrupted {
		t.Errorf("checks %d, downtimes %v, down %d, interrupted %v: want 2 up checks and no downtime",
			len(res.Checks), res.Downtimes, res.Summary.Down, res.Interrupted)
	}
}

// TestRoutingInterrupted: Ctrl-C during a routing run keeps and summarises
// the requests made so far.
func TestRoutingInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cut := upAt(ipB, "b")
	cut.during = cancel
	s := newScript(t, upAt(ipA, "a"), upAt(ipA, "a"), upAt(ipB, "b"), cut)
	res, err := Routing(ctx, RoutingConfig{Common: s.common(0), Requests: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Summary.Requests != 3 || len(res.Samples) != 3 {
		t.Fatalf("interrupted %v, %d requests summarised, want true and 3", res.Interrupted, res.Summary.Requests)
	}
	want := []Share{{"a", 2, 200.0 / 3}, {"b", 1, 100.0 / 3}}
	for i, s := range res.Summary.Clusters {
		if s.Name != want[i].Name || s.Count != want[i].Count || s.Percent != want[i].Percent {
			t.Errorf("cluster %d: %+v, want %+v", i, s, want[i])
		}
	}
}
