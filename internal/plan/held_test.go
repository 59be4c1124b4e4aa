package plan

import (
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestHeldNamesFreezeRecords(t *testing.T) {
	owned := func(name, ip string) *endpoint.Endpoint {
		return endpoint.New(name, "A", ip).WithLabel(endpoint.OwnerLabel, "me").WithLabel(endpoint.ResourceLabel, "service/default/x")
	}
	hold := &endpoint.Endpoint{DNSName: "App.example.com.", Labels: endpoint.NewLabels(endpoint.HoldLabel, "bad ttl")}
	tests := []struct {
		name    string
		desired []*endpoint.Endpoint
		current []*endpoint.Endpoint
		held    []string
		creates []string
		deletes []string
		updates []string
	}{
		{name: "held endpoint keeps an existing record that is no longer desired",
			desired: []*endpoint.Endpoint{hold}, current: []*endpoint.Endpoint{owned("app.example.com", "1.1.1.1"), owned("gone.example.com", "1.1.1.1")},
			deletes: []string{"gone.example.com"}},
		{name: "held name blocks updates too",
			desired: []*endpoint.Endpoint{owned("app.example.com", "2.2.2.2")}, current: []*endpoint.Endpoint{owned("app.example.com", "1.1.1.1")},
			held: []string{"app.example.com"}},
		{name: "held name blocks creates",
			desired: []*endpoint.Endpoint{hold, owned("new.example.com", "1.1.1.1")},
			creates: []string{"new.example.com"}},
		{name: "held name blocks a CNAME swap on both halves",
			desired: []*endpoint.Endpoint{endpoint.New("app.example.com", "CNAME", "lb.example.net").WithLabel(endpoint.ResourceLabel, "service/default/x")},
			current: []*endpoint.Endpoint{owned("app.example.com", "1.1.1.1")}, held: []string{"APP.example.com"}},
		{name: "without holds the same input deletes",
			current: []*endpoint.Endpoint{owned("app.example.com", "1.1.1.1")}, deletes: []string{"app.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Calculate(Input{Desired: tt.desired, Current: tt.current, OwnerID: "me", Policy: PolicySync, Held: tt.held})
			names := func(eps []*endpoint.Endpoint) []string {
				var out []string
				for _, e := range eps {
					out = append(out, e.DNSName)
				}
				return out
			}
			check := func(what string, got, want []string) {
				if len(got) != len(want) {
					t.Fatalf("%s = %v, want %v", what, got, want)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s = %v, want %v", what, got, want)
					}
				}
			}
			check("creates", names(r.Changes.Create), tt.creates)
			check("deletes", names(r.Changes.Delete), tt.deletes)
			check("updates", names(r.Changes.UpdateNew), tt.updates)
		})
	}
}
