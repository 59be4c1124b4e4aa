package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// keys returns the sorted keys of a JSON object.
func keys(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%T is not an object", v)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestFailoverJSON(t *testing.T) {
	s := newScript(t, upAt(ipA, "a"), refusedAt(ipA), upAt(ipB, "b"))
	res, err := Failover(context.Background(), FailoverConfig{Common: s.common(time.Second), Checks: 3})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   string
		v    any
		want []string
	}{
		{"top", doc, []string{"checks", "downtimes", "ended", "interrupted", "interval_ms", "resolver", "started", "summary", "timeout_ms", "up_code", "url"}},
		{"summary", doc["summary"], []string{"avg_downtime_ms", "checks", "dns", "down", "events", "first_address", "http",
			"max_downtime_ms", "outcomes", "targets", "total_downtime_ms", "up", "up_percent"}},
		{"downtime", doc["downtimes"].([]any)[0], []string{"address_after", "address_before", "causes", "duration_ms", "end",
			"failed_checks", "first_check", "start", "target_after", "target_before"}},
		{"up check", doc["checks"].([]any)[0], []string{"address", "addresses", "cluster", "dns_ms", "http_ms", "outcome", "seq", "status", "time", "ttl", "up"}},
		{"failed check", doc["checks"].([]any)[1], []string{"address", "addresses", "dns_ms", "error", "error_kind", "http_ms", "outcome", "seq", "time", "ttl", "up"}},
		{"stats", doc["summary"].(map[string]any)["http"], []string{"count", "max_ms", "mean_ms", "min_ms", "p50_ms", "p90_ms", "p99_ms"}},
	} {
		if got := keys(t, c.v); !slices.Equal(got, c.want) {
			t.Errorf("%s keys %v, want %v", c.at, got, c.want)
		}
	}
	if d := doc["downtimes"].([]any)[0].(map[string]any); d["duration_ms"] != 1000.0 || d["start"] != "2026-01-02T03:04:06Z" {
		t.Errorf("downtime %v", d)
	}
	// And it reads back as the same result.
	var back FailoverResult
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Checks) != 3 || back.Checks[1].Outcome != KindRefused || !back.Downtimes[0].End.Equal(secs(2)) ||
		back.Summary.TotalDowntimeMS != 1000 {
		t.Errorf("read back %+v", back)
	}
}

func TestRoutingJSON(t *testing.T) {
	s := newScript(t, upAt(ipA, "a"), dnsFailure())
	res, err := Routing(context.Background(), RoutingConfig{Common: s.common(0), Requests: 2})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := res.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, doc), []string{"ended", "interrupted", "interval_ms", "requested", "resolver", "samples", "started", "summary", "timeout_ms", "url"}; !slices.Equal(got, want) {
		t.Errorf("top keys %v, want %v", got, want)
	}
	if got, want := keys(t, doc["summary"]), []string{"addresses", "answered", "clusters", "dns", "error_kinds", "errors", "http", "requests", "statuses"}; !slices.Equal(got, want) {
		t.Errorf("summary keys %v, want %v", got, want)
	}
	if got, want := keys(t, doc["samples"].([]any)[1]), []string{"dns_ms", "error", "error_kind", "http_ms", "seq", "time", "ttl"}; !slices.Equal(got, want) {
		t.Errorf("failed sample keys %v, want %v", got, want)
	}
	// An empty run still has lists, not nulls, for scripts that read it.
	var empty bytes.Buffer
	if err := (RoutingResult{Summary: summarizeRouting(nil, true)}).WriteJSON(&empty); err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	if err := json.Unmarshal(empty.Bytes(), &e); err != nil {
		t.Fatal(err)
	}
	if _, ok := e["samples"].([]any); !ok {
		t.Errorf("samples of an empty run: %v", e["samples"])
	}
	if _, ok := e["summary"].(map[string]any)["clusters"].([]any); !ok {
		t.Errorf("clusters of an empty run: %v", e["summary"])
	}
}
