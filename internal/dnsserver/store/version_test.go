package store

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// TestVersionFollowsRecords drives a store through random writes by every
// path that can change it: the controller's batches (applied, refused,
// empty), RFC 2136 updates (applied and refused), and serials taken from
// another replica. Whenever Records changed, Version must have moved, or a
// controller would plan against records it no longer holds; and it must
// stay put when Records did not change through a path that cannot change
// it, or every RFC 2136 client would force full reads.
func TestVersionFollowsRecords(t *testing.T) {
	for _, mode := range []string{"memory", "file"} {
		t.Run(mode, func(t *testing.T) {
			s := NewMemory([]string{"example.com"})
			if mode == "file" {
				var err error
				if s, err = Open(filepath.Join(t.TempDir(), "db"), []string{"example.com"}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
			}
			r := rand.New(rand.NewPCG(7, 11))
			names := []string{"a", "b", "c", "_acme-challenge", "d"}
			randomRecord := func() *endpoint.Endpoint {
				typ, target := "A", fmt.Sprintf("192.0.2.%d", 1+r.IntN(3))
				if r.IntN(3) == 0 {
					typ, target = "TXT", fmt.Sprintf("\"t%d\"", r.IntN(3))
				}
				return ep(names[r.IntN(len(names))]+".example.com", typ, target)
			}
			// pick returns one of the records at hand, or a made-up one (which
			// makes a delete or update refused).
			pick := func(have []*endpoint.Endpoint) *endpoint.Endpoint {
				if len(have) == 0 || r.IntN(5) == 0 {
					return randomRecord()
				}
				return have[r.IntN(len(have))].DeepCopy()
			}
			moves := map[string]int{}
			for step := range 3000 {
				before, v := keys(s.Records()), s.Version()
				var what string
				var err error
				switch x := r.IntN(10); {
				case x < 3:
					what = "controller create"
					_, err = s.Apply(&plan.Changes{Create: []*endpoint.Endpoint{randomRecord()}})
				case x < 5:
					what = "controller update"
					old := pick(s.Records())
					nu := old.DeepCopy()
					nu.Targets = endpoint.Targets{fmt.Sprintf("198.51.100.%d", r.IntN(3))}
					if nu.RecordType == "TXT" {
						nu.Targets = endpoint.Targets{fmt.Sprintf("\"u%d\"", r.IntN(3))}
					}
					_, err = s.Apply(&plan.Changes{UpdateOld: []*endpoint.Endpoint{old}, UpdateNew: []*endpoint.Endpoint{nu}})
				case x < 6:
					what = "controller delete"
					_, err = s.Apply(&plan.Changes{Delete: []*endpoint.Endpoint{pick(s.Records())}})
				case x < 7:
					what = "empty batch"
					_, err = s.Apply(&plan.Changes{})
				case x < 8:
					what = "RFC 2136 create"
					_, err = s.ApplyDynamic(&plan.Changes{Create: []*endpoint.Endpoint{randomRecord()}})
				case x < 9:
					what = "RFC 2136 delete"
					_, err = s.ApplyDynamic(&plan.Changes{Delete: []*endpoint.Endpoint{pick(s.DynamicRecords())}})
				default:
					what = "serial from the leader"
					err = s.SetSerial("example.com", uint32(1000+step))
				}
				after, moved := keys(s.Records()), s.Version() != v
				if changed := !slices.Equal(before, after); changed && !moved {
					t.Fatalf("step %d (%s, err %v): Records changed and Version stayed at %d\nbefore %q\nafter %q", step, what, err, v, before, after)
				}
				if moved && (err != nil || what == "empty batch" || what == "serial from the leader" || what[:3] == "RFC") {
					t.Fatalf("step %d (%s, err %v): Version moved, though nothing the controller lists changed", step, what, err)
				}
				if moved {
					moves[what]++
				}
			}
			// The walk must have exercised every path that moves it.
			for _, what := range []string{"controller create", "controller update", "controller delete"} {
				if moves[what] == 0 {
					t.Errorf("no %s moved the version in 3000 steps: the walk does not test it", what)
				}
			}
		})
	}
}
