package gslb

import (
	"fmt"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// benchHealth looks health up in a map, as a checker's status table does;
// one target in each five is down.
func benchHealth(sets []Set) HealthFunc {
	m := map[string]Health{}
	n := 0
	for _, s := range sets {
		for _, t := range s.Targets {
			h := Healthy
			if n%5 == 4 {
				h = Unhealthy
			}
			m[s.ID+"\x00"+t] = h
			n++
		}
	}
	return func(id, target string) Health { return m[id+"\x00"+target] }
}

func benchSets(b *testing.B, n int, prop func(i int) []string) []Set {
	b.Helper()
	var eps []*endpoint.Endpoint
	for i := range n {
		ip := fmt.Sprintf("192.0.%d.%d", i/250, i%250+1)
		eps = append(eps, ep(fmt.Sprintf("set-%03d", i), ip, prop(i)...))
	}
	return group(b, eps...)
}

// BenchmarkSelect measures one selection per query, health lookups
// included; the DNS server calls it once per routed answer.
func BenchmarkSelect(b *testing.B) {
	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1", "sa-east-1", "af-south-1"}
	cases := []struct {
		name   string
		sets   []Set
		client Client
	}{
		{"weighted-2", benchSets(b, 2, func(i int) []string { return []string{"aws/weight=" + fmt.Sprint(80-60*i)} }), unknownClient},
		{"weighted-100", benchSets(b, 100, func(i int) []string { return []string{"aws/weight=" + fmt.Sprint(i%10)} }), unknownClient},
		{"failover", benchSets(b, 2, func(i int) []string { return []string{"aws/failover=" + []string{"PRIMARY", "SECONDARY"}[i]} }), unknownClient},
		{"latency-8", benchSets(b, 8, func(i int) []string { return []string{"aws/region=" + regions[i]} }), clientAt(48.8, 2.3)},
		{"failover-latency-8", benchSets(b, 8, func(i int) []string {
			return []string{"aws/region=" + regions[i], "gslb/routing-policy=failover-latency"}
		}), clientAt(48.8, 2.3)},
		{"geolocation-5", benchSets(b, 5, func(i int) []string {
			return [][]string{
				{"aws/geolocation-country-code=US", "aws/geolocation-subdivision-code=CA"},
				{"aws/geolocation-country-code=US"}, {"aws/geolocation-continent-code=NA"},
				{"aws/geolocation-continent-code=EU"}, {"aws/geolocation-country-code=*"},
			}[i]
		}), clientIn("NA", "US", "TX")},
		{"geoproximity-8", benchSets(b, 8, func(i int) []string {
			return []string{"aws/geoproximity-region=" + regions[i], fmt.Sprintf("aws/geoproximity-bias=%d", i*10-40)}
		}), clientAt(48.8, 2.3)},
		{"multivalue-20", benchSets(b, 20, func(int) []string { return []string{"aws/multi-value-answer=true"} }), unknownClient},
	}
	for _, c := range cases {
		health := benchHealth(c.sets)
		b.Run(c.name, func(b *testing.B) {
			rnd := seeded()
			b.ReportAllocs()
			for b.Loop() {
				a := Select(c.sets, health, c.client, rnd)
				if len(a.Targets) == 0 {
					b.Fatal("no answer")
				}
			}
		})
	}
}
