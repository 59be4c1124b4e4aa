//go:build integration

package probe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/exodns/exodns/internal/cli"
	"github.com/exodns/exodns/internal/probe"
)

// TestRoutingSplit runs `exodns probe routing` for 1,000 requests against
// a name the DNS server answers 80/20, and checks the measured split.
func TestRoutingSplit(t *testing.T) {
	a, b, port := startBackends(t)
	d := startDNS(t)
	d.set(func(d *dnsServer) { d.weightA = 80 })
	dir := artifacts(t)
	jsonPath := filepath.Join(dir, "routing.json")
	url := fmt.Sprintf("http://%s:%d/", host, port)

	cmd := cli.NewRootCommand(cli.BuildInfo{})
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"probe", "routing", url, "-n", "1000", "--dns-server", d.addr,
		"--json", jsonPath, "--plot", filepath.Join(dir, "routing.svg")})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Logf("\n%s", out.String())

	var res probe.RoutingResult
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	if err := res.Plot(filepath.Join(dir, "routing.png")); err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	if sum.Requests != 1000 || sum.Errors != 0 || len(res.Samples) != 1000 {
		t.Fatalf("requests %d, errors %d, samples %d: want 1000, 0, 1000", sum.Requests, sum.Errors, len(res.Samples))
	}
	pct := map[string]float64{}
	for _, s := range sum.Clusters {
		pct[s.Name] = s.Percent
	}
	if math.Abs(pct["cluster-a"]-80) > 5 || math.Abs(pct["cluster-b"]-20) > 5 || pct["cluster-a"]+pct["cluster-b"] != 100 {
		t.Errorf("split %v, want 80/20 within 5 points", pct)
	}
	// Every request resolved afresh and went where its answer said: the
	// DNS server's own tally is the probe's, answer for answer.
	said := d.counts()
	count := map[string]int{}
	for _, s := range res.Samples {
		count[s.Cluster]++
		want := map[string]string{ipA: "cluster-a", ipB: "cluster-b"}[s.Address]
		if s.Cluster != want {
			t.Fatalf("request %d went to %s but %s answered", s.Seq, s.Address, s.Cluster)
		}
	}
	if said[ipA] != count["cluster-a"] || said[ipB] != count["cluster-b"] {
		t.Errorf("DNS answered %v; the probe saw %v", said, count)
	}
	// A fresh connection for each request, so none rode on an old one.
	if n := a.conns.Load() + b.conns.Load(); n != 1000 {
		t.Errorf("backends saw %d connections for 1000 requests", n)
	}
	if sum.DNS.Count != 1000 || sum.HTTP.Count != 1000 {
		t.Errorf("timings: dns %+v http %+v", sum.DNS, sum.HTTP)
	}
	t.Logf("split: cluster-a %.1f%%, cluster-b %.1f%%; dns p50 %.2fms p99 %.2fms; http p50 %.2fms p99 %.2fms",
		pct["cluster-a"], pct["cluster-b"], sum.DNS.P50MS, sum.DNS.P99MS, sum.HTTP.P50MS, sum.HTTP.P99MS)
}
