package txt

import (
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/inmemory"
)

// reconcile runs one controller loop over r: adjust, read, plan (sync),
// apply. It returns the adjusted desired records and the apply error.
func reconcile(t *testing.T, r *Registry, desired ...*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	t.Helper()
	in := make([]*endpoint.Endpoint, len(desired))
	for i, d := range desired {
		in[i] = d.DeepCopy()
	}
	adj, err := r.AdjustEndpoints(in)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := r.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res := plan.Calculate(plan.Input{Desired: adj, Current: cur, OwnerID: r.OwnerID(), Policy: plan.PolicySync,
		ManagedTypes: []string{"A", "AAAA", "CNAME", "TXT"}})
	return adj, r.ApplyChanges(ctx, res.Changes)
}

func held(eps []*endpoint.Endpoint, name string) string {
	for _, e := range eps {
		if e.DNSName == name && e.Held() {
			return e.Labels.Get(endpoint.HoldLabel)
		}
	}
	return ""
}

// TestOwnershipNamesAreReserved: a desired TXT record named like an
// ownership record (of a record we or someone else own, or of a record
// desired with it) is refused and never created, with the owner named, and
// leaves no ownership record of its own behind. Its neighbours land.
// Checked on the in-memory provider, which is strict like real DNS APIs.
func TestOwnershipNamesAreReserved(t *testing.T) {
	cases := []struct {
		name      string
		cfg       Config
		zone      []*endpoint.Endpoint
		desired   []*endpoint.Endpoint
		reserved  string // the refused desired TXT
		wantOwner string // named in the reason
	}{
		{"ours, default mapper", Config{},
			[]*endpoint.Endpoint{endpoint.New("x.example.com", "A", "192.0.2.1"), endpoint.New("a-x.example.com", "TXT", ours)},
			[]*endpoint.Endpoint{app("x.example.com", "A", "192.0.2.1"), app("a-x.example.com", "TXT", "hello")},
			"a-x.example.com", `"k3s-cluster"`},
		{"another owner's", Config{},
			[]*endpoint.Endpoint{endpoint.New("x.example.com", "A", "192.0.2.1"),
				endpoint.New("a-x.example.com", "TXT", `"heritage=external-dns,external-dns/owner=team-b"`)},
			[]*endpoint.Endpoint{app("a-x.example.com", "TXT", "hello")},
			"a-x.example.com", `"team-b"`},
		{"prefix", Config{Prefix: "own-"},
			[]*endpoint.Endpoint{endpoint.New("x.example.com", "A", "192.0.2.1"), endpoint.New("own-a-x.example.com", "TXT", ours)},
			[]*endpoint.Endpoint{app("x.example.com", "A", "192.0.2.1"), app("own-a-x.example.com", "TXT", "hello")},
			"own-a-x.example.com", `"k3s-cluster"`},
		{"templated suffix", Config{Suffix: "-%{record_type}"},
			[]*endpoint.Endpoint{endpoint.New("x.example.com", "A", "192.0.2.1"), endpoint.New("x-a.example.com", "TXT", ours)},
			[]*endpoint.Endpoint{app("x.example.com", "A", "192.0.2.1"), app("x-a.example.com", "TXT", "hello")},
			"x-a.example.com", `"k3s-cluster"`},
		{"desired together, nothing in the zone", Config{},
			nil,
			[]*endpoint.Endpoint{app("x.example.com", "A", "192.0.2.1"), app("a-x.example.com", "TXT", "hello")},
			"a-x.example.com", `"k3s-cluster"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mem := inmemory.New([]string{"example.com"})
			if len(tc.zone) > 0 {
				if err := mem.ApplyChanges(ctx, &plan.Changes{Create: tc.zone}); err != nil {
					t.Fatal(err)
				}
			}
			cfg := tc.cfg
			cfg.OwnerID = owner
			r, err := New(mem, cfg)
			if err != nil {
				t.Fatal(err)
			}
			neighbour := app("y.example.com", "A", "192.0.2.9")
			desired := append(tc.desired, neighbour)
			// The first run holds it when the clash is among the desired
			// records; otherwise it knows the zone only in ApplyChanges,
			// which leaves the record out and reports it.
			adj, err := reconcile(t, r, desired...)
			switch {
			case err != nil && (!strings.Contains(err.Error(), tc.reserved) || !strings.Contains(err.Error(), tc.wantOwner)):
				t.Fatalf("first run error %v, want one naming %s and %s", err, tc.reserved, tc.wantOwner)
			case err == nil && !strings.Contains(held(adj, tc.reserved), tc.wantOwner):
				t.Fatalf("first run neither held nor reported %s", tc.reserved)
			}
			// From then on it is held before planning, and the run is clean.
			adj, err = reconcile(t, r, desired...)
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			if reason := held(adj, tc.reserved); !strings.Contains(reason, tc.wantOwner) {
				t.Fatalf("hold reason %q, want one naming %s", reason, tc.wantOwner)
			}
			recs, _ := mem.Records(ctx)
			var txts []string
			for _, e := range recs {
				if e.RecordType == "TXT" {
					txts = append(txts, e.DNSName+"="+strings.Join(e.Targets, ","))
				}
				if e.RecordType == "TXT" && strings.Contains(e.Targets[0], "hello") {
					t.Errorf("the refused record was created: %v", e)
				}
				if e.RecordType == "TXT" && e.DNSName == r.mapper.ToTXTName(tc.reserved, "TXT") {
					t.Errorf("an orphan ownership record was left: %v", e)
				}
			}
			if !has(recs, "y.example.com", "A") || !has(recs, r.mapper.ToTXTName("y.example.com", "A"), "TXT") {
				t.Errorf("the neighbour did not land: %v", txts)
			}
		})
	}
}

func has(eps []*endpoint.Endpoint, name, typ string) bool {
	for _, e := range eps {
		if e.DNSName == name && e.RecordType == typ {
			return true
		}
	}
	return false
}

var _ provider.Provider = (*inmemory.Provider)(nil)

// TestReservedReasonIgnoresOrder: when several desired records claim the
// name an ownership record reserves, the reason names the smallest of
// their resources whatever order the sources listed them in (informers
// list in no order, and a reason that changes is reported again).
func TestReservedReasonIgnoresOrder(t *testing.T) {
	r, err := New(inmemory.New([]string{"example.com"}), Config{OwnerID: "us"})
	if err != nil {
		t.Fatal(err)
	}
	a := endpoint.New("x.example.com", "A", "192.0.2.1").WithLabel(endpoint.ResourceLabel, "service/ns/b")
	b := endpoint.New("x.example.com", "A", "192.0.2.2").WithLabel(endpoint.ResourceLabel, "service/ns/a")
	txt := endpoint.New("a-x.example.com", "TXT", "hello").WithLabel(endpoint.ResourceLabel, "service/ns/c")
	var reasons []string
	for _, order := range [][]*endpoint.Endpoint{{a, b, txt}, {b, a, txt}, {txt, b, a}} {
		adj, err := r.AdjustEndpoints(order)
		if err != nil {
			t.Fatal(err)
		}
		reasons = append(reasons, held(adj, "a-x.example.com"))
	}
	if !strings.Contains(reasons[0], "for service/ns/a") || reasons[1] != reasons[0] || reasons[2] != reasons[0] {
		t.Fatalf("reasons by order:\n%s", strings.Join(reasons, "\n"))
	}
}
