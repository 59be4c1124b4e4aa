package pdns

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

func seedZone() *Zone {
	return &Zone{ID: "example.test.", Name: "example.test.", RRsets: []RRset{
		{Name: "example.test.", Type: "SOA", TTL: 300, Records: []Record{{Content: "ns1.example.test. hostmaster.example.test. 1 10800 3600 604800 60"}}},
		{Name: "example.test.", Type: "NS", TTL: 300, Records: []Record{{Content: "ns1.example.test."}}},
		{Name: "app.example.test.", Type: "A", TTL: 60, Records: []Record{{Content: "192.0.2.1"}, {Content: "192.0.2.9", Disabled: true}}},
		{Name: "a-app.example.test.", Type: "TXT", TTL: 300, Records: []Record{{Content: `"heritage=external-dns,external-dns/owner=ci"`}}},
		{Name: "www.example.test.", Type: "CNAME", TTL: 300, Records: []Record{{Content: "app.example.test."}}},
	}}
}

func newTest(t *testing.T) (*fakeAPI, *Provider) {
	f, url := newFakeAPI(t, seedZone(), &Zone{ID: "other.org.", Name: "other.org."})
	cfg := DefaultConfig()
	cfg.Server, cfg.APIKey = url, "ci-secret"
	var err error
	cfg.DomainFilter, err = endpoint.NewDomainFilter([]string{"example.test"}, nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f, p
}

func TestRecords(t *testing.T) {
	_, p := newTest(t)
	eps, err := p.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range eps {
		got = append(got, e.String())
	}
	want := []string{"app.example.test 60 IN A 192.0.2.1", `a-app.example.test 300 IN TXT "heritage=external-dns,external-dns/owner=ci"`, "www.example.test 300 IN CNAME app.example.test"}
	if !slices.Equal(got, want) {
		t.Errorf("Records =\n%q\nwant\n%q", got, want)
	}
}

func TestApplyChangesPatchesRRsets(t *testing.T) {
	f, p := newTest(t)
	c := &plan.Changes{
		Create:    []*endpoint.Endpoint{endpoint.New("new.example.test", "TXT", `"hello world"`).WithTTL(90)},
		UpdateOld: []*endpoint.Endpoint{endpoint.New("app.example.test", "A", "192.0.2.1")},
		UpdateNew: []*endpoint.Endpoint{endpoint.New("app.example.test", "A", "192.0.2.2").WithTTL(60)},
		Delete:    []*endpoint.Endpoint{endpoint.New("www.example.test", "CNAME", "app.example.test")},
	}
	if err := p.ApplyChanges(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if len(f.patches) != 1 {
		t.Fatalf("%d PATCHes, want 1", len(f.patches))
	}
	var got []string
	for _, rs := range f.patches[0] {
		var vals []string
		for _, r := range rs.Records {
			vals = append(vals, r.Content)
		}
		got = append(got, rs.Changetype+" "+rs.Name+" "+rs.Type+" "+strings.Join(vals, ","))
	}
	want := []string{"DELETE www.example.test. CNAME ", "REPLACE app.example.test. A 192.0.2.2", `REPLACE new.example.test. TXT "hello world"`}
	if !slices.Equal(got, want) {
		t.Errorf("PATCH =\n%q\nwant\n%q", got, want)
	}
	for _, m := range f.methods {
		if strings.HasPrefix(m, "PUT") || strings.HasPrefix(m, "POST") || strings.HasPrefix(m, "DELETE") {
			t.Errorf("the zone was written whole: %s", m)
		}
	}
}

// TestApplyChangesRefusesStaleAndInvalid: a change planned on records that
// changed since is refused, not clobbering them; a value the API rejects
// is isolated; everything else lands.
func TestApplyChangesRefusesStaleAndInvalid(t *testing.T) {
	f, p := newTest(t)
	c := &plan.Changes{
		Create: []*endpoint.Endpoint{
			endpoint.New("app.example.test", "A", "192.0.2.5"),  // exists
			endpoint.New("bad.example.test", "A", "not-an-ip"),  // no value of its type
			endpoint.New("good.example.test", "A", "192.0.2.7"), // lands
		},
		Delete: []*endpoint.Endpoint{endpoint.New("www.example.test", "CNAME", "elsewhere.example.test")}, // stale
	}
	err := p.ApplyChanges(context.Background(), c)
	re, ok := provider.AsRefused(err)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	var names []string
	for _, r := range re.Refused {
		names = append(names, r.Endpoint.DNSName)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"app.example.test", "bad.example.test", "www.example.test"}) {
		t.Errorf("refused %v (%v)", names, err)
	}
	if !errors.Is(err, provider.ErrRecordExists) || !errors.Is(err, provider.ErrMismatch) || !errors.Is(err, provider.ErrInvalid) {
		t.Errorf("causes missing from %v", err)
	}
	eps, _ := p.Records(context.Background())
	if !slices.ContainsFunc(eps, func(e *endpoint.Endpoint) bool { return e.DNSName == "good.example.test" }) {
		t.Error("good.example.test did not land")
	}
	_ = f
}

func TestKeyNeverShown(t *testing.T) {
	_, url := newFakeAPI(t, seedZone())
	cfg := DefaultConfig()
	cfg.Server, cfg.APIKey = url, "wrong-key-value"
	p, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Records(context.Background())
	if err == nil || strings.Contains(err.Error(), "wrong-key-value") || !strings.Contains(err.Error(), "401") {
		t.Errorf("err = %v", err)
	}
}

func TestAdjustEndpoints(t *testing.T) {
	_, p := newTest(t)
	out, _ := p.AdjustEndpoints([]*endpoint.Endpoint{
		endpoint.New("t.example.test", "TXT", "v=spf1 -all"),
		endpoint.New("w.example.test", "A", "192.0.2.1").WithSetIdentifier("eu"),
		endpoint.New("m.example.test", "MX", "not an mx"),
	})
	if out[0].Targets[0] != `"v=spf1 -all"` || out[0].Held() || !out[1].Held() || !out[2].Held() {
		t.Errorf("adjusted: %v", out)
	}
}
