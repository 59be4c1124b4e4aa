package txt

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// TestOwnerIndex drives the index with random puts and deletes, from an
// empty table that grows, and compares every step with a Go map. The few
// names and set identifiers make chains at one name and long probe runs;
// the deletes exercise the backward shift, which a lookup after it finds
// out if it lost an entry.
func TestOwnerIndex(t *testing.T) {
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var x ownerIndex
		if seed%2 == 1 {
			x = newOwnerIndex(rng.IntN(40))
		}
		want := map[endpoint.Key]*ownership{}
		key := func() endpoint.Key {
			return endpoint.Key{
				DNSName:       fmt.Sprintf("n%d.example.com", rng.IntN(60)),
				RecordType:    []string{"A", "AAAA", "CNAME"}[rng.IntN(3)],
				SetIdentifier: []string{"", "eu"}[rng.IntN(2)],
			}
		}
		for step := range 400 {
			k := key()
			switch rng.IntN(3) {
			case 0, 1:
				o := &ownership{owner: fmt.Sprint(step)}
				_, had := want[k]
				if replaced := x.put(k, o); replaced != had {
					t.Fatalf("seed %d step %d: put(%v) replaced=%v, want %v", seed, step, k, replaced, had)
				}
				want[k] = o
			default:
				x.del(k)
				delete(want, k)
			}
			if got := x.get(k); (got == nil) != (want[k] == nil) || got != nil && got.owner != want[k].owner {
				t.Fatalf("seed %d step %d: get(%v) = %v, want %v", seed, step, k, got, want[k])
			}
			if step%50 == 49 || step == 399 {
				checkIndex(t, &x, want, fmt.Sprintf("seed %d step %d", seed, step))
			}
		}
		for k := range want {
			x.del(k)
		}
		if x.used != 0 || x.get(key()) != nil {
			t.Fatalf("seed %d: %d entries left after deleting every key", seed, x.used)
		}
	}
}

func checkIndex(t *testing.T, x *ownerIndex, want map[endpoint.Key]*ownership, at string) {
	t.Helper()
	var got, exp []string
	for k, o := range x.all() {
		got = append(got, k.String()+"="+o.owner)
	}
	for k, o := range want {
		exp = append(exp, k.String()+"="+o.owner)
		if g := x.get(k); g != o {
			t.Fatalf("%s: get(%v) = %v, want the record filed last", at, k, g)
		}
		if g := x.atName(k.DNSName, k.RecordType); g == nil || g.name != k.DNSName || g.recordType != k.RecordType {
			t.Fatalf("%s: atName(%s, %s) = %v", at, k.DNSName, k.RecordType, g)
		}
	}
	slices.Sort(got)
	slices.Sort(exp)
	if !slices.Equal(got, exp) {
		t.Fatalf("%s: all() = %v\nwant %v", at, got, exp)
	}
}
