package probe

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRoutingSummary checks the distribution and timing math over a
// scripted run with answers, a marker-less page, and failures.
func TestRoutingSummary(t *testing.T) {
	ms := time.Millisecond
	var steps []step
	for i := range 6 {
		st := upAt(ipA, "a")
		st.dnsTook, st.httpTook = time.Duration(i+1)*ms, time.Duration(10*(i+1))*ms
		steps = append(steps, st)
	}
	b := upAt(ipB, "b")
	b.dnsTook, b.httpTook = 7*ms, 70*ms
	plain := upAt(ipB, "")
	plain.dnsTook, plain.httpTook = 8*ms, 80*ms
	slow := timeoutAt(ipA, 3*time.Second)
	slow.dnsTook = 9 * ms
	steps = append(steps, b, plain, slow, dnsFailure())
	s := newScript(t, steps...)
	var out bytes.Buffer
	cfg := RoutingConfig{Common: s.common(100 * ms), Requests: 10}
	cfg.Out, cfg.Verbose = &out, true
	res, err := Routing(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	if sum.Requests != 10 || sum.Answered != 8 || sum.Errors != 2 || res.Interrupted {
		t.Fatalf("summary %+v", sum)
	}
	for _, c := range []struct {
		name      string
		got, want []Share
	}{
		{"clusters", sum.Clusters, []Share{{"a", 6, 60}, {NoMarker, 1, 10}, {"b", 1, 10}}},
		{"addresses", sum.Addresses, []Share{{ipA, 7, 70}, {ipB, 2, 20}}},
		{"statuses", sum.Statuses, []Share{{"200", 8, 80}}},
		{"errors", sum.ErrorKinds, []Share{{"dns", 1, 10}, {"timeout", 1, 10}}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s %v, want %v", c.name, c.got, c.want)
		}
	}
	// DNS: the nine rounds that resolved took 1..9 ms; HTTP: the eight
	// answered took 10..80 ms. Nearest rank: p50 of 9 is the 5th, p90 the 9th.
	if d := sum.DNS; d.Count != 9 || d.MinMS != 1 || d.P50MS != 5 || d.P90MS != 9 || d.P99MS != 9 || d.MaxMS != 9 || d.MeanMS != 5 {
		t.Errorf("dns stats %+v", d)
	}
	if h := sum.HTTP; h.Count != 8 || h.P50MS != 40 || h.P90MS != 80 || h.MaxMS != 80 || h.MeanMS != 45 {
		t.Errorf("http stats %+v", h)
	}
	// Rounds start on a fixed cadence; the timeout pushes the next one to
	// the first free slot.
	wantStarts := []float64{0, .1, .2, .3, .4, .5, .6, .7, .8, 3.9}
	for i, smp := range res.Samples {
		if got := smp.Time.Sub(t0).Seconds(); got < wantStarts[i]-1e-9 || got > wantStarts[i]+1e-9 {
			t.Errorf("request %d started at +%vs, want +%vs", i+1, got, wantStarts[i])
		}
	}
	if n := strings.Count(out.String(), "\n"); n != 11 {
		t.Errorf("verbose output has %d lines, want a header and 10:\n%s", n, out.String())
	}
	var text bytes.Buffer
	if err := res.WriteSummary(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"requests 10 of 10, answered 8, errors 2", "a                             6   60.00%",
		"dns  time (n=9): p50 5.00ms  p90 9.00ms  p99 9.00ms"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, text.String())
		}
	}
}

func TestRoutingNeedsRequests(t *testing.T) {
	if _, err := Routing(context.Background(), RoutingConfig{Common: Common{URL: "http://x"}}); err == nil {
		t.Error("no error for zero requests")
	}
}

// TestIPLiteralSkipsDNS: a URL with an address needs no lookup, so no DNS
// time is reported, and the resolver is never asked.
func TestIPLiteralSkipsDNS(t *testing.T) {
	s := newScript(t, upAt("", "a"))
	s.steps[0].addr = "198.51.100.1" // what the resolver would say, if it were asked
	cfg := RoutingConfig{Common: s.common(0), Requests: 1}
	cfg.URL = "http://127.0.0.9:8080/"
	s.i = 1 // the fetcher plays step 1 without a Resolve
	res, err := Routing(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Samples[0].Address; got != "127.0.0.9" || res.Summary.DNS.Count != 0 {
		t.Errorf("address %q, dns stats %+v: want the literal and no DNS", got, res.Summary.DNS)
	}
}

// TestRoutingProgress: without -v a long run reports the split so far every
// tenth of the way, errors included.
func TestRoutingProgress(t *testing.T) {
	steps := []step{upAt(ipA, "a"), upAt(ipB, "b"), refusedAt(ipA), upAt(ipA, "a"), upAt(ipA, "a")}
	for range 15 {
		steps = append(steps, upAt(ipA, "a"))
	}
	s := newScript(t, steps...)
	var out bytes.Buffer
	cfg := RoutingConfig{Common: s.common(0), Requests: 20}
	cfg.Out = &out
	if _, err := Routing(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 10 || lines[2] != "4 of 20: a 2, b 1, error: refused 1" || lines[9] != "18 of 20: a 16, b 1, error: refused 1" {
		t.Errorf("progress:\n%s", out.String())
	}
}
