package plan

import (
	"fmt"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// benchWorld is a steady-state cluster: n services with A records that
// mostly match what is served. One in a hundred differs: a third get new
// targets, a third are new, a third have gone (their records are deleted).
func benchWorld(n int) Input {
	desired := make([]*endpoint.Endpoint, 0, n)
	current := make([]*endpoint.Endpoint, 0, n)
	for i := range n {
		ns := fmt.Sprintf("ns-%d", i%97)
		name := fmt.Sprintf("svc-%d.%s.example.com", i, ns)
		res := fmt.Sprintf("service/%s/svc-%d", ns, i)
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		d := endpoint.New(name, endpoint.RecordTypeA, ip).WithTTL(300).WithLabel(endpoint.ResourceLabel, res)
		c := d.DeepCopy().WithLabel(endpoint.OwnerLabel, "bench")
		switch i % 300 {
		case 0:
			c.Targets = endpoint.Targets{"192.0.2.1"}
		case 100:
			c = c.WithLabel(endpoint.ResourceLabel, "gone") // stays served under another name
			c.DNSName = fmt.Sprintf("gone-%d.%s.example.com", i, ns)
		case 200:
			c = nil
		}
		desired = append(desired, d)
		if c != nil {
			current = append(current, c)
		}
	}
	for len(current) < n { // keep both sides at n records
		current = append(current, endpoint.New(fmt.Sprintf("old-%d.example.com", len(current)), endpoint.RecordTypeA, "10.0.0.1").
			WithLabel(endpoint.OwnerLabel, "bench").WithLabel(endpoint.ResourceLabel, "service/old/x"))
	}
	return Input{Desired: desired, Current: current, OwnerID: "bench", Policy: PolicySync}
}

func BenchmarkCalculate100k(b *testing.B) {
	in := benchWorld(100_000)
	r := Calculate(in)
	b.ReportMetric(float64(r.Changes.Len()), "changes")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Calculate(in)
	}
}

func TestBenchWorld(t *testing.T) {
	in := benchWorld(3000)
	c := Calculate(in).Changes
	// 10 updated, 10 renamed (create + delete), 10 new (create), 10 padding deletes.
	if len(c.UpdateNew) != 10 || len(c.Create) != 20 || len(c.Delete) != 20 {
		t.Fatalf("bench world gives %d creates, %d updates, %d deletes", len(c.Create), len(c.UpdateNew), len(c.Delete))
	}
}
