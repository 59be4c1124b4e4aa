package gateway

import (
	"reflect"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// TestUnion is rule 4: one hostname from routes on different Gateways is
// served by all of them, so each claim carries the union of the targets
// and keeps its own resource label (the plan then keeps the record with
// the route that holds it).
func TestUnion(t *testing.T) {
	ep := func(res, name, typ string, ttl endpoint.TTL, targets ...string) *endpoint.Endpoint {
		return endpoint.New(name, typ, targets...).WithTTL(ttl).WithLabel(endpoint.ResourceLabel, res)
	}
	held := &endpoint.Endpoint{DNSName: "a.example.com", Labels: endpoint.NewLabels(
		endpoint.ResourceLabel, "httproute/c/c",
		endpoint.HoldLabel, "invalid input",
	)}
	tests := []struct {
		name string
		in   []*endpoint.Endpoint
		want []string
	}{
		{"two routes, one name: both get both addresses",
			[]*endpoint.Endpoint{ep("httproute/b/r", "a.example.com", "A", 0, "10.0.0.2"), ep("httproute/a/r", "a.example.com", "A", 0, "10.0.0.1")},
			[]string{"httproute/b/r a.example.com 0 IN A 10.0.0.1,10.0.0.2", "httproute/a/r a.example.com 0 IN A 10.0.0.1,10.0.0.2"}},
		{"one route alone is untouched",
			[]*endpoint.Endpoint{ep("httproute/a/r", "a.example.com", "A", 0, "10.0.0.1"), ep("httproute/a/r", "b.example.com", "A", 0, "10.0.0.2")},
			[]string{"httproute/a/r a.example.com 0 IN A 10.0.0.1", "httproute/a/r b.example.com 0 IN A 10.0.0.2"}},
		{"different TTLs are different records",
			[]*endpoint.Endpoint{ep("httproute/a/r", "a.example.com", "A", 60, "10.0.0.1"), ep("httproute/b/r", "a.example.com", "A", 0, "10.0.0.2")},
			[]string{"httproute/a/r a.example.com 60 IN A 10.0.0.1", "httproute/b/r a.example.com 0 IN A 10.0.0.2"}},
		{"different set identifiers are different records",
			[]*endpoint.Endpoint{ep("httproute/a/r", "a.example.com", "A", 0, "10.0.0.1").WithSetIdentifier("x"),
				ep("httproute/b/r", "a.example.com", "A", 0, "10.0.0.2").WithSetIdentifier("y")},
			[]string{"httproute/a/r a.example.com 0 IN A 10.0.0.1 set=x", "httproute/b/r a.example.com 0 IN A 10.0.0.2 set=y"}},
		{"CNAMEs to different hosts stay apart for the plan to choose",
			[]*endpoint.Endpoint{ep("httproute/a/r", "a.example.com", "CNAME", 0, "lb-a.example.net"), ep("httproute/b/r", "a.example.com", "CNAME", 0, "lb-b.example.net")},
			[]string{"httproute/a/r a.example.com 0 IN CNAME lb-a.example.net", "httproute/b/r a.example.com 0 IN CNAME lb-b.example.net"}},
		{"CNAMEs to one host are one record",
			[]*endpoint.Endpoint{ep("httproute/a/r", "a.example.com", "CNAME", 0, "lb.example.net"), ep("httproute/b/r", "a.example.com", "CNAME", 0, "lb.example.net")},
			[]string{"httproute/a/r a.example.com 0 IN CNAME lb.example.net", "httproute/b/r a.example.com 0 IN CNAME lb.example.net"}},
		{"held names are left alone",
			[]*endpoint.Endpoint{ep("httproute/a/r", "a.example.com", "A", 0, "10.0.0.1"), held},
			[]string{"httproute/a/r a.example.com 0 IN A 10.0.0.1", "httproute/c/c a.example.com 0 IN  "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := make([]string, len(tt.in))
			for i, e := range tt.in {
				before[i] = e.String()
			}
			out := Union(tt.in)
			var got []string
			for _, e := range out {
				got = append(got, e.Resource()+" "+e.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			for i, e := range tt.in {
				if e.String() != before[i] {
					t.Errorf("input %d modified: %s", i, e)
				}
			}
		})
	}
}
