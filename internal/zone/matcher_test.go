package zone

import (
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func TestMatcher(t *testing.T) {
	m := NewMatcher([]string{"example.com.", "sub.example.com", "EXAMPLE.org", "example.com"})
	tests := []struct {
		name, zone string
		ok         bool
	}{
		{"example.com", "example.com", true},
		{"a.example.com", "example.com", true},
		{"a.sub.example.com", "sub.example.com", true},
		{"sub.example.com.", "sub.example.com", true},
		{"A.Example.Org", "example.org", true},
		{"myexample.com", "", false},
		{"example.net", "", false},
		{"com", "", false},
	}
	for _, tt := range tests {
		z, ok := m.Zone(tt.name)
		if z != tt.zone || ok != tt.ok {
			t.Errorf("Zone(%q) = %q,%v; want %q,%v", tt.name, z, ok, tt.zone, tt.ok)
		}
	}
	if got := len(m.Zones()); got != 3 {
		t.Errorf("zones deduplicated to %d, want 3", got)
	}
}

func TestSplitByZone(t *testing.T) {
	m := NewMatcher([]string{"example.com", "sub.example.com"})
	c := &plan.Changes{
		Create:    []*endpoint.Endpoint{endpoint.New("a.example.com", "A", "1.1.1.1"), endpoint.New("x.other.net", "A", "1.1.1.1")},
		UpdateOld: []*endpoint.Endpoint{endpoint.New("b.sub.example.com", "A", "1.1.1.1")},
		UpdateNew: []*endpoint.Endpoint{endpoint.New("b.sub.example.com", "A", "2.2.2.2")},
		Delete:    []*endpoint.Endpoint{endpoint.New("c.example.com", "A", "1.1.1.1")},
	}
	byZone, stray := m.SplitByZone(c)
	if len(stray) != 1 || stray[0].DNSName != "x.other.net" {
		t.Fatalf("stray = %v", stray)
	}
	if got := byZone["example.com"]; len(got.Create) != 1 || len(got.Delete) != 1 || len(got.UpdateNew) != 0 {
		t.Errorf("example.com changes = %+v", got)
	}
	if got := byZone["sub.example.com"]; len(got.UpdateOld) != 1 || got.UpdateNew[0].Targets[0] != "2.2.2.2" {
		t.Errorf("sub.example.com changes = %+v", got)
	}
}
