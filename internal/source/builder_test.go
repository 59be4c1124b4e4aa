package source

import (
	"reflect"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/endpoint"
)

func TestBuilder(t *testing.T) {
	ref := ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "ns", Name: "n"}
	b := NewBuilder(ref, ref.Resource())
	b.Values = annotations.Values{TTL: 30, SetIdentifier: "s", ProviderSpecific: endpoint.ProviderSpecific{{Name: "aws/weight", Value: "1"}}}
	b.AddHost("B.example.com", []string{"5.5.5.5", " ", "2001:db8::1"})
	b.AddHost("b.example.com.", []string{"1.1.1.1", "5.5.5.5"})
	b.AddHost("a.example.com", nil)
	b.AddHost("-bad.example.com", []string{"1.1.1.1"})
	b.AddHost("-bad.example.com", []string{"1.1.1.1"})
	b.AddRecord("c.example.com", endpoint.RecordTypeA, "not-an-ip")
	r := b.Result()

	var got []string
	for _, e := range r.Endpoints {
		if e.Held() {
			got = append(got, e.DNSName+" HOLD")
			continue
		}
		got = append(got, e.String())
		if e.Resource() != "service/ns/n" || e.ProviderSpecific[0].Name != "aws/weight" {
			t.Errorf("endpoint %v labels %v ps %v", e, e.Labels, e.ProviderSpecific)
		}
	}
	want := []string{"b.example.com 30 IN A 1.1.1.1,5.5.5.5 set=s", "b.example.com 30 IN AAAA 2001:db8::1 set=s", "c.example.com HOLD"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if len(r.Problems) != 3 {
		t.Fatalf("want the bad name once, the bad target and the bare name, got %v", r.Problems)
	}
	if p := r.Problems[2]; p.Kind != NoRecords || !strings.Contains(p.Error(), "nothing published for a.example.com") {
		t.Errorf("a hostname with no target is not reported as such: %v", p)
	}
	if !strings.Contains(r.Problems[1].Error(), "record c.example.com/A") {
		t.Errorf("problem %v does not name the record set", r.Problems[1])
	}
	// Endpoints must not share the builder's provider-specific slice.
	r.Endpoints[0].ProviderSpecific[0].Value = "x"
	if r.Endpoints[1].ProviderSpecific[0].Value != "1" || b.Values.ProviderSpecific[0].Value != "1" {
		t.Error("provider-specific properties are shared")
	}
}

func TestMergeEndpoints(t *testing.T) {
	a := endpoint.New("a.example.com", "A", "2.2.2.2").WithLabel(endpoint.ResourceLabel, "service/ns/one")
	b := endpoint.New("a.example.com", "A", "1.1.1.1", "2.2.2.2").WithLabel(endpoint.ResourceLabel, "service/ns/two")
	c := endpoint.New("a.example.com", "A", "3.3.3.3").WithSetIdentifier("x")
	out := MergeEndpoints([]*endpoint.Endpoint{c, a, b})
	if len(out) != 2 || out[0].String() != "a.example.com 0 IN A 1.1.1.1,2.2.2.2" || out[0].Resource() != "service/ns/one" {
		t.Errorf("got %v", out)
	}
	if len(a.Targets) != 1 {
		t.Error("input modified")
	}
}
