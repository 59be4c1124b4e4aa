package endpointtest

import (
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestRender(t *testing.T) {
	eps := []*endpoint.Endpoint{
		endpoint.New("a.example.com", "A", "192.0.2.1", "192.0.2.2"),
		endpoint.New("w.example.com", "CNAME", "lb.example.net").WithTTL(60).WithSetIdentifier("eu").
			WithProviderSpecific("aws/weight", "10").WithLabel(endpoint.ResourceLabel, "service/default/web").WithLabel("team", "x"),
		endpoint.New("bad.example.com", "A").WithLabel(endpoint.HoldLabel, "typo"),
	}
	got := Render(eps, endpoint.ResourceLabel, "absent")
	want := []string{
		"a.example.com A 192.0.2.1,192.0.2.2",
		"w.example.com CNAME lb.example.net ttl=60 set=eu aws/weight=10 resource:service/default/web",
		"bad.example.com HOLD",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Render =\n%q\nwant\n%q", got, want)
	}
}
