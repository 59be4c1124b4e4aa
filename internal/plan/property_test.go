package plan

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// randomWorld draws a small, dense world so that keys, names and resources
// collide often: that is where the rules interact.
func randomWorld(r *rand.Rand, policy Policy) Input {
	names := []string{"a.example.com", "b.example.com", "c.example.com", "d.example.org"}
	types := []string{"A", "A", "AAAA", "CNAME", "CNAME", "TXT"}
	targets := map[string][]string{
		"A": {"1.1.1.1", "2.2.2.2"}, "AAAA": {"::1", "::2"}, "CNAME": {"x.example.net", "y.example.net"}, "TXT": {"t1", "t2"},
	}
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	gen := func() *endpoint.Endpoint {
		t := pick(types)
		e := endpoint.New(pick(names), t, pick(targets[t]))
		if r.IntN(4) == 0 {
			e.SetIdentifier = pick([]string{"one", "two"})
		}
		if r.IntN(3) == 0 {
			e.RecordTTL = endpoint.TTL(60 * (1 + r.IntN(2)))
		}
		return e.WithLabel(endpoint.ResourceLabel, pick([]string{"service/ns/a", "service/ns/b", "ingress/ns/c"}))
	}
	in := Input{OwnerID: me, Policy: policy, DomainFilter: endpoint.DomainFilter{Exclude: []string{"d.example.org"}}}
	for range r.IntN(8) {
		in.Desired = append(in.Desired, gen())
	}
	seen := map[endpoint.Key]bool{}
	for range r.IntN(8) {
		e := gen()
		if seen[e.Key()] {
			continue // a DNS server holds one record set per key
		}
		seen[e.Key()] = true
		in.Current = append(in.Current, e.WithLabel(endpoint.OwnerLabel, pick([]string{me, me, "them", ""})))
	}
	return in
}

func TestRandomWorlds(t *testing.T) {
	policies := []Policy{PolicySync, PolicyUpsertOnly, PolicyCreateOnly}
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 7))
		in := randomWorld(r, policies[seed%3])
		if seed%2 == 1 {
			in.OwnerID = "" // the noop registry
		}
		res := Calculate(in)
		where := fmt.Sprintf("seed %d: desired %v current %v", seed, in.Desired, in.Current)
		checkInvariants(t, where, in, res)

		s := in
		s.Desired, s.Current = slices.Clone(in.Desired), slices.Clone(in.Current)
		r.Shuffle(len(s.Desired), func(i, j int) { s.Desired[i], s.Desired[j] = s.Desired[j], s.Desired[i] })
		r.Shuffle(len(s.Current), func(i, j int) { s.Current[i], s.Current[j] = s.Current[j], s.Current[i] })
		if !reflect.DeepEqual(Calculate(s), res) {
			t.Fatalf("%s: depends on order", where)
		}

		if in.Policy == PolicySync {
			again := in
			again.Current = apply(in.Current, res.Changes)
			if next := Calculate(again); next.Changes.HasChanges() {
				t.Fatalf("%s: not stable, second plan %q", where, ops(next.Changes))
			}
		}
	}
}

func checkInvariants(t *testing.T, where string, in Input, res Result) {
	t.Helper()
	sc := newScope(in)
	c := res.Changes
	for _, e := range append(slices.Clone(c.UpdateOld), c.Delete...) {
		if e.Labels.Get(endpoint.OwnerLabel) != in.OwnerID || !sc.contains(e) {
			t.Fatalf("%s: touches %v, which is not ours or out of scope", where, e)
		}
	}
	if len(c.Delete) > 0 && in.Policy != PolicySync || len(c.UpdateNew) > 0 && in.Policy == PolicyCreateOnly {
		t.Fatalf("%s: policy %s violated: %q", where, in.Policy, ops(c))
	}
	existing := map[endpoint.Key]bool{}
	for _, e := range in.Current {
		existing[e.Key()] = true
	}
	after := apply(in.Current, c)
	for _, e := range c.Create {
		if existing[e.Key()] {
			t.Fatalf("%s: creates over existing %v", where, e.Key())
		}
		for _, o := range after {
			if o.DNSName == e.DNSName && isCNAME(o) != isCNAME(e) {
				t.Fatalf("%s: created %v beside %v", where, e.Key(), o.Key())
			}
		}
	}
}
