package zone

import (
	"fmt"
	"github.com/exodns/exodns/internal/plan"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestSetIndex(t *testing.T) {
	a := endpoint.New("a.example.com", "A", "192.0.2.1")
	aaaa := endpoint.New("a.example.com", "AAAA", "2001:db8::1")
	upper := endpoint.New("A.example.com.", "A", "192.0.2.2") // another key, the same name
	weighted := endpoint.New("a.example.com", "A", "192.0.2.3").WithSetIdentifier("w1")
	b := endpoint.New("b.example.com", "TXT", "\"x\"")
	a2 := endpoint.New("a.example.com", "A", "192.0.2.9")

	tests := []struct {
		name     string
		put      []*endpoint.Endpoint
		del      []endpoint.Key
		wantKeys map[string][]endpoint.Key // Keys(name)
		wantGet  map[endpoint.Key]*endpoint.Endpoint
		wantLen  int
	}{
		{name: "empty", wantKeys: map[string][]endpoint.Key{"a.example.com": nil}, wantGet: map[endpoint.Key]*endpoint.Endpoint{a.Key(): nil}},
		{name: "sets at one name, in the order put", put: []*endpoint.Endpoint{a, aaaa, upper, weighted, b}, wantLen: 5,
			wantKeys: map[string][]endpoint.Key{"A.EXAMPLE.COM.": {a.Key(), aaaa.Key(), upper.Key(), weighted.Key()}, "b.example.com": {b.Key()}},
			wantGet:  map[endpoint.Key]*endpoint.Endpoint{a.Key(): a, upper.Key(): upper, weighted.Key(): weighted, {DNSName: "a.example.com", RecordType: "CNAME"}: nil}},
		{name: "a put replaces its key in place", put: []*endpoint.Endpoint{a, aaaa, a2}, wantLen: 2,
			wantKeys: map[string][]endpoint.Key{"a.example.com": {a.Key(), aaaa.Key()}},
			wantGet:  map[endpoint.Key]*endpoint.Endpoint{a.Key(): a2}},
		{name: "delete keeps the rest of the name", put: []*endpoint.Endpoint{a, aaaa, weighted}, del: []endpoint.Key{aaaa.Key(), b.Key()}, wantLen: 2,
			wantKeys: map[string][]endpoint.Key{"a.example.com": {a.Key(), weighted.Key()}},
			wantGet:  map[endpoint.Key]*endpoint.Endpoint{aaaa.Key(): nil, weighted.Key(): weighted}},
		{name: "delete of an exact key only", put: []*endpoint.Endpoint{a}, del: []endpoint.Key{upper.Key()}, wantLen: 1,
			wantGet: map[endpoint.Key]*endpoint.Endpoint{a.Key(): a}},
		{name: "delete of the last set of a name", put: []*endpoint.Endpoint{a, b}, del: []endpoint.Key{a.Key()}, wantLen: 1,
			wantKeys: map[string][]endpoint.Key{"a.example.com": nil, "b.example.com": {b.Key()}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSet()
			for _, e := range tt.put {
				s.Put(e)
			}
			for _, k := range tt.del {
				s.Delete(k)
			}
			if s.Len() != tt.wantLen {
				t.Errorf("Len %d, want %d", s.Len(), tt.wantLen)
			}
			for name, want := range tt.wantKeys {
				if got := s.Keys(name); !reflect.DeepEqual(got, want) {
					t.Errorf("Keys(%s) %v, want %v", name, got, want)
				}
			}
			for k, want := range tt.wantGet {
				got, ok := s.Get(k)
				if got != want || ok != (want != nil) {
					t.Errorf("Get(%v) %v %v, want %v", k, got, ok, want)
				}
			}
			sorted := s.Sorted()
			n := 0
			s.All(func(*endpoint.Endpoint) bool { n++; return true })
			if len(sorted) != s.Len() || n != s.Len() {
				t.Errorf("Sorted has %d, All %d, Len %d", len(sorted), n, s.Len())
			}
			for i := 1; i < len(sorted); i++ {
				if CompareKeys(sorted[i-1].Key(), sorted[i].Key()) >= 0 {
					t.Errorf("Sorted out of order at %d: %v", i, sorted)
				}
			}
		})
	}
}

// scaleRecords are the record sets of 5,000 names with an ownership
// record each, as the scale test's zone holds them.
func scaleRecords(n int) []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, 0, 2*n)
	for i := range n {
		out = append(out, &endpoint.Endpoint{DNSName: fmt.Sprintf("svc-%d.example.com", i), RecordType: "A", Targets: []string{"10.0.0.1"}},
			&endpoint.Endpoint{DNSName: fmt.Sprintf("a-svc-%d.example.com", i), RecordType: "TXT", Targets: []string{"\"heritage=external-dns\""}})
	}
	return out
}

// setOverhead is what a Set keeps per record set beyond the records.
func setOverhead(recs []*endpoint.Endpoint) float64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := NewSet()
	for _, e := range recs {
		s.Put(e)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(len(recs))
}

// TestSetMemory: the index costs well under what a map by key and a map
// by name took together (some 220 bytes a record set).
func TestSetMemory(t *testing.T) {
	const most = 120
	if got := setOverhead(scaleRecords(5000)); got > most {
		t.Errorf("a Set keeps %.0f bytes per record set, more than %d", got, most)
	}
}

func BenchmarkSetPut(b *testing.B) {
	recs := scaleRecords(5000)
	b.ReportAllocs()
	var total float64
	for b.Loop() {
		total += setOverhead(recs)
	}
	b.ReportMetric(total/float64(b.N), "retained-B/record")
}

// TestSortedFollowsChanges puts, replaces and deletes record sets at
// random between calls of Sorted, which merges what changed into the
// order it kept, and requires every call to equal a fresh sort of the set
// (same record sets, the very same pointers, in key order).
func TestSortedFollowsChanges(t *testing.T) {
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 1))
		s := NewSet()
		key := func() endpoint.Key {
			return endpoint.Key{DNSName: fmt.Sprintf("n%d.example.com", rng.IntN(300)), RecordType: []string{"A", "AAAA", "TXT"}[rng.IntN(3)],
				SetIdentifier: []string{"", "", "eu"}[rng.IntN(3)]}
		}
		for step := range 60 {
			for range rng.IntN([]int{3, 40, 400}[rng.IntN(3)]) {
				k := key()
				if rng.IntN(4) == 0 {
					s.Delete(k)
					continue
				}
				s.Put(&endpoint.Endpoint{DNSName: k.DNSName, RecordType: k.RecordType, SetIdentifier: k.SetIdentifier, Targets: endpoint.Targets{fmt.Sprint(step)}})
			}
			got := s.Sorted()
			var want []*endpoint.Endpoint
			s.All(func(e *endpoint.Endpoint) bool { want = append(want, e); return true })
			slices.SortFunc(want, compareEndpoints)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d step %d: Sorted gives %d sets, a fresh sort %d, or another order or other sets", seed, step, len(got), len(want))
			}
			if len(got) == 0 {
				continue
			}
			got[0] = nil // the caller's slice: the set's order is not touched
			if again := s.Sorted(); again[0] != want[0] {
				t.Fatalf("seed %d step %d: writing into a returned slice changed the set's order", seed, step)
			}
		}
	}
}

// BenchmarkCheckCreates is the check of a controller's first batch: 10^4
// record sets created in an empty zone.
func BenchmarkCheckCreates(b *testing.B) {
	ch := &plan.Changes{Create: scaleRecords(10000)}
	r := Rules{Current: NewSet()}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Check(ch); err != nil {
			b.Fatal(err)
		}
	}
}
