package probe

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	ipA = "127.0.0.2"
	ipB = "127.0.0.3"
)

// TestFailoverTimeline runs the real probe loop in virtual time over a
// scripted timeline with every way of being down, a flap, a move without
// downtime, and a run that ends while down.
func TestFailoverTimeline(t *testing.T) {
	s := newScript(t,
		upAt(ipA, "a"),                        // 0s
		upAt(ipA, "a"),                        // 1s
		dnsFailure(),                          // 2s: event 1 starts
		timeoutAt(ipA, 2500*time.Millisecond), // 3s, takes 2.5 s: the next slot is 6 s
		refusedAt(ipA),                        // 6s
		codeAt(ipA, "a", 503),                 // 7s
		upAt(ipB, "b"),                        // 8s: event 1 ends, 6 s
		upAt(ipB, "b"),                        // 9s
		codeAt(ipB, "b", 503),                 // 10s: flap, event 2
		upAt(ipB, "b"),                        // 11s
		refusedAt(ipB),                        // 12s: event 3
		upAt(ipA, "a"),                        // 13s
		upAt(ipA, "a"),                        // 14s
		upAt(ipB, "b"),                        // 15s: moved, no downtime
		dnsFailure(),                          // 16s: event 4, still open at the end
		dnsFailure(),                          // 17s
	)
	var out bytes.Buffer
	cfg := FailoverConfig{Common: s.common(time.Second), Checks: 16}
	cfg.Out = &out
	res, err := Failover(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Interrupted || len(res.Checks) != 16 {
		t.Fatalf("interrupted %v after %d checks, want 16 complete", res.Interrupted, len(res.Checks))
	}
	wantTimes := []float64{0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}
	for i, c := range res.Checks {
		if !c.Time.Equal(secs(wantTimes[i])) {
			t.Errorf("check %d at %v, want +%vs", c.Seq, c.Time.Sub(t0), wantTimes[i])
		}
	}
	want := []Downtime{
		{Start: secs(2), End: secs(8), DurationMS: 6000, FirstCheck: 3, FailedChecks: 4,
			Causes:        []Share{{"dns", 1, 25}, {"refused", 1, 25}, {"status 503", 1, 25}, {"timeout", 1, 25}},
			AddressBefore: ipA, AddressAfter: ipB, TargetBefore: "a", TargetAfter: "b"},
		{Start: secs(10), End: secs(11), DurationMS: 1000, FirstCheck: 9, FailedChecks: 1,
			Causes:        []Share{{"status 503", 1, 100}},
			AddressBefore: ipB, AddressAfter: ipB, TargetBefore: "b", TargetAfter: "b"},
		{Start: secs(12), End: secs(13), DurationMS: 1000, FirstCheck: 11, FailedChecks: 1,
			Causes:        []Share{{"refused", 1, 100}},
			AddressBefore: ipB, AddressAfter: ipA, TargetBefore: "b", TargetAfter: "a"},
		{Start: secs(16), End: secs(17), DurationMS: 1000, Open: true, FirstCheck: 15, FailedChecks: 2,
			Causes:        []Share{{"dns", 2, 100}},
			AddressBefore: ipB, TargetBefore: "b"},
	}
	if len(res.Downtimes) != len(want) {
		t.Fatalf("%d downtimes, want %d: %+v", len(res.Downtimes), len(want), res.Downtimes)
	}
	for i := range want {
		if !equalDowntime(res.Downtimes[i], want[i]) {
			t.Errorf("downtime %d:\n got %+v\nwant %+v", i+1, res.Downtimes[i], want[i])
		}
	}
	sum := res.Summary
	if sum.Checks != 16 || sum.Up != 8 || sum.Down != 8 || sum.Events != 4 || sum.UpPercent != 50 {
		t.Errorf("counts %+v", sum)
	}
	if sum.TotalDowntimeMS != 9000 || sum.MaxDowntimeMS != 6000 || sum.AvgDowntimeMS != 2250 {
		t.Errorf("downtime total %v max %v avg %v, want 9000 6000 2250", sum.TotalDowntimeMS, sum.MaxDowntimeMS, sum.AvgDowntimeMS)
	}
	wantOutcomes := []Share{{"up", 8, 50}, {"dns", 3, 18.75}, {"refused", 2, 12.5}, {"status 503", 2, 12.5}, {"timeout", 1, 6.25}}
	if !slices.Equal(sum.Outcomes, wantOutcomes) {
		t.Errorf("outcomes %v, want %v", sum.Outcomes, wantOutcomes)
	}
	if wantT := []Share{{"a", 4, 50}, {"b", 4, 50}}; !slices.Equal(sum.Targets, wantT) {
		t.Errorf("targets %v, want %v", sum.Targets, wantT)
	}
	if sum.FirstAddress != ipA {
		t.Errorf("first address %q", sum.FirstAddress)
	}

	// Every state change, and only those, printed as it happened.
	var changes []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
		changes = append(changes, strings.Join(strings.Fields(line)[1:], " "))
	}
	wantChanges := []string{
		"#1 UP a",
		"#3 DOWN dns",
		"#4 DOWN now timeout at 127.0.0.2",
		"#5 DOWN now refused at 127.0.0.2",
		"#6 DOWN now status 503 at 127.0.0.2",
		"#7 UP b after 6.000s down (4 failed checks)",
		"#9 DOWN status 503 at 127.0.0.3",
		"#10 UP b after 1.000s down (1 failed checks)",
		"#11 DOWN refused at 127.0.0.3",
		"#12 UP a after 1.000s down (1 failed checks)",
		"#14 MOVED a -> b, no check failed",
		"#15 DOWN dns",
	}
	if !slices.Equal(changes, wantChanges) {
		t.Errorf("printed changes:\n%s\nwant:\n%s", strings.Join(changes, "\n"), strings.Join(wantChanges, "\n"))
	}
}

func equalDowntime(a, b Downtime) bool {
	return a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.DurationMS == b.DurationMS && a.Open == b.Open &&
		a.FirstCheck == b.FirstCheck && a.FailedChecks == b.FailedChecks && slices.Equal(a.Causes, b.Causes) &&
		a.AddressBefore == b.AddressBefore && a.AddressAfter == b.AddressAfter &&
		a.TargetBefore == b.TargetBefore && a.TargetAfter == b.TargetAfter
}

// TestFailoverUpCode: with --up-code 204, a 200 is down.
func TestFailoverUpCode(t *testing.T) {
	s := newScript(t, codeAt(ipA, "a", 204), codeAt(ipA, "a", 200), codeAt(ipA, "a", 204))
	cfg := FailoverConfig{Common: s.common(time.Second), Checks: 3, UpCode: 204}
	res, err := Failover(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Downtimes) != 1 || res.Downtimes[0].Causes[0].Name != "status 200" || res.Downtimes[0].DurationMS != 1000 {
		t.Errorf("downtimes %+v, want one second of status 200", res.Downtimes)
	}
}

// TestFailoverDuration: the run ends by itself when the next check would
// start at or after the duration.
func TestFailoverDuration(t *testing.T) {
	steps := make([]step, 10)
	for i := range steps {
		steps[i] = upAt(ipA, "a")
	}
	s := newScript(t, steps...)
	res, err := Failover(context.Background(), FailoverConfig{Common: s.common(500 * time.Millisecond), Duration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Checks) != 4 || res.Interrupted {
		t.Errorf("%d checks (interrupted %v), want 4 at 0, 0.5, 1 and 1.5 s", len(res.Checks), res.Interrupted)
	}
}
