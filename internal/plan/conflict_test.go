package plan

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestConflicts(t *testing.T) {
	const x = "x.example.com"
	runCases(t, []planCase{
		{
			name:      "smallest resource wins when nobody holds the record",
			desired:   eps{by(a(x, "2.2.2.2"), "service/ns/b"), by(a(x, "1.1.1.1"), "service/ns/a")},
			ops:       only("+x.example.com/A"),
			conflicts: only("x.example.com/A service/ns/a>service/ns/b: " + ReasonClaimed),
		},
		{
			name:      "incumbent keeps the record even though its name is larger",
			desired:   eps{by(a(x, "1.1.1.1"), "service/ns/a"), by(a(x, "2.2.2.2"), "service/ns/b")},
			current:   eps{ours(a(x, "2.2.2.2"), "service/ns/b")},
			conflicts: only("x.example.com/A service/ns/b>service/ns/a: " + ReasonClaimed),
		},
		{
			name:      "incumbent that no longer claims the key loses it to the smallest",
			desired:   eps{by(a(x, "1.1.1.1"), "service/ns/b"), by(a(x, "2.2.2.2"), "service/ns/c")},
			current:   eps{ours(a(x, "9.9.9.9"), "service/ns/a")},
			ops:       only("~x.example.com/A"),
			conflicts: only("x.example.com/A service/ns/b>service/ns/c: " + ReasonClaimed),
		},
		{
			name:    "same resource is merged, not a conflict",
			desired: eps{by(a(x, "2.2.2.2"), "service/ns/a"), by(a(x, "1.1.1.1", "2.2.2.2"), "service/ns/a")},
			ops:     only("+x.example.com/A"),
		},
		{
			name:    "identical claims are not a conflict",
			desired: eps{by(a(x, "1.1.1.1"), "service/ns/b"), by(a(x, "1.1.1.1"), "ingress/ns/a")},
			ops:     only("+x.example.com/A"),
		},
		{
			name:      "a differing TTL is a conflict",
			desired:   eps{by(a(x, "1.1.1.1").WithTTL(60), "service/ns/b"), by(a(x, "1.1.1.1"), "ingress/ns/a")},
			ops:       only("+x.example.com/A"),
			conflicts: only("x.example.com/A ingress/ns/a>service/ns/b: " + ReasonClaimed),
		},
		{
			name: "a differing provider-specific property is a conflict",
			desired: eps{by(a(x, "1.1.1.1").WithProviderSpecific("aws/weight", "1"), "service/ns/b"),
				by(a(x, "1.1.1.1"), "ingress/ns/a")},
			ops:       only("+x.example.com/A"),
			conflicts: only("x.example.com/A ingress/ns/a>service/ns/b: " + ReasonClaimed),
		},
		{
			name: "only the differing losers are reported",
			desired: eps{by(a(x, "1.1.1.1"), "service/ns/a"), by(a(x, "1.1.1.1"), "service/ns/b"),
				by(a(x, "3.3.3.3"), "service/ns/c")},
			ops:       only("+x.example.com/A"),
			conflicts: only("x.example.com/A service/ns/a>service/ns/c: " + ReasonClaimed),
		},
		{
			name: "weighted records with different set identifiers are not conflicts",
			desired: eps{
				by(a(x, "1.1.1.1").WithSetIdentifier("blue").WithProviderSpecific("aws/weight", "90"), "service/ns/blue"),
				by(a(x, "2.2.2.2").WithSetIdentifier("green").WithProviderSpecific("aws/weight", "10"), "service/ns/green"),
			},
			ops: only("+x.example.com/A/blue", "+x.example.com/A/green"),
		},
		{
			name:      "foreign owner: one conflict naming every claimant",
			desired:   eps{by(a(x, "1.1.1.1"), "service/ns/b"), by(a(x, "2.2.2.2"), "service/ns/a")},
			current:   eps{owned(by(a(x, "3.3.3.3"), "service/far/z"), "them")},
			conflicts: only("x.example.com/A service/far/z>service/ns/a,service/ns/b: owned by them"),
		},
	})
}

func TestMergeContents(t *testing.T) {
	d := eps{
		by(a("x.example.com", "2.2.2.2").WithTTL(300).WithProviderSpecific("p", "b"), "service/ns/a"),
		by(a("x.example.com", "1.1.1.1", "2.2.2.2").WithTTL(60).WithProviderSpecific("p", "a"), "service/ns/a"),
		by(a("x.example.com", "3.3.3.3"), "service/ns/a"),
	}
	want := by(a("x.example.com", "1.1.1.1", "2.2.2.2", "3.3.3.3").WithTTL(60).WithProviderSpecific("p", "a"), "service/ns/a").
		WithLabel(endpoint.OwnerLabel, me)
	for seed := range uint64(20) {
		shuffled := slices.Clone(d)
		rand.New(rand.NewPCG(seed, 1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := Calculate(Input{Desired: shuffled, OwnerID: me, Policy: PolicySync}).Changes.Create
		if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
			t.Fatalf("seed %d: merged create = %v, want %v", seed, got, want)
		}
	}
}

// mixedWorld exercises every rule at once, for order and mutation tests.
func mixedWorld() Input {
	return Input{
		Desired: eps{
			by(a("c.example.com", "1.1.1.1"), "service/ns/b"),
			by(a("c.example.com", "2.2.2.2"), "service/ns/a"),
			by(a("c.example.com", "3.3.3.3"), "service/ns/a"),
			by(a("inc.example.com", "1.1.1.1"), "service/ns/a"),
			by(a("inc.example.com", "2.2.2.2"), "service/ns/z"),
			by(a("same.example.com", "1.1.1.1"), "service/ns/a"),
			by(a("same.example.com", "1.1.1.1"), "service/ns/b"),
			by(a("mix.example.com", "1.1.1.1"), "service/ns/m"),
			by(cname("mix.example.com", "lb.example.net"), "ingress/ns/m"),
			by(cname("keep.example.com", "lb.example.net"), "ingress/ns/k"),
			by(rec("keep.example.com", "AAAA", "::1"), "service/ns/k"),
			by(cname("blocked.example.com", "lb.example.net"), "ingress/ns/bl"),
			by(a("foreign.example.com", "1.1.1.1"), "service/ns/f"),
			by(a("swap.example.com", "1.1.1.1"), "service/ns/s"),
			by(a("w.example.com", "1.1.1.1").WithSetIdentifier("one"), "service/ns/w1"),
			by(a("w.example.com", "2.2.2.2").WithSetIdentifier("two"), "service/ns/w2"),
			by(a("upd.example.com", "7.7.7.7"), "service/ns/u"),
		},
		Current: eps{
			ours(a("inc.example.com", "2.2.2.2"), "service/ns/z"),
			ours(cname("keep.example.com", "lb.example.net"), "ingress/ns/k"),
			owned(rec("blocked.example.com", "MX", "10 mail.example.com"), "them"),
			owned(a("foreign.example.com", "9.9.9.9"), "them"),
			ours(cname("swap.example.com", "old.example.net"), "service/ns/s"),
			ours(a("upd.example.com", "6.6.6.6"), "service/ns/u"),
			ours(a("gone.example.com", "6.6.6.6"), "service/ns/g"),
			ours(rec("txt.example.com", "TXT", "unmanaged"), "service/ns/t"),
		},
		OwnerID: me,
		Policy:  PolicySync,
	}
}

func TestMixedWorld(t *testing.T) {
	in := mixedWorld()
	runCases(t, []planCase{{
		name:    "all rules together",
		desired: in.Desired,
		current: in.Current,
		ops: only("+c.example.com/A", "+mix.example.com/A", "+same.example.com/A", "+swap.example.com/A",
			"+w.example.com/A/one", "+w.example.com/A/two", "~upd.example.com/A",
			"-gone.example.com/A", "-swap.example.com/CNAME"),
		conflicts: only(
			"blocked.example.com/CNAME >ingress/ns/bl: cannot create CNAME beside the existing MX record (owned by them)",
			"c.example.com/A service/ns/a>service/ns/b: "+ReasonClaimed,
			"foreign.example.com/A >service/ns/f: owned by them",
			"inc.example.com/A service/ns/z>service/ns/a: "+ReasonClaimed,
			"keep.example.com/AAAA ingress/ns/k>service/ns/k: "+ReasonCNAMEExclusive,
			"mix.example.com/CNAME service/ns/m>ingress/ns/m: "+ReasonCNAMEExclusive,
		),
	}})
}

// TestOrderIndependence shuffles both inputs many times: the plan must come
// out byte-for-byte the same, or replicas and runs would disagree.
func TestOrderIndependence(t *testing.T) {
	in := mixedWorld()
	want := Calculate(in)
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 42))
		s := in
		s.Desired, s.Current = slices.Clone(in.Desired), slices.Clone(in.Current)
		r.Shuffle(len(s.Desired), func(i, j int) { s.Desired[i], s.Desired[j] = s.Desired[j], s.Desired[i] })
		r.Shuffle(len(s.Current), func(i, j int) { s.Current[i], s.Current[j] = s.Current[j], s.Current[i] })
		if got := Calculate(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: plan depends on input order:\n got %v %q\nwant %v %q", seed,
				ops(got.Changes), conflicts(got.Conflicts), ops(want.Changes), conflicts(want.Conflicts))
		}
	}
}

// TestStable applies a plan and plans again: the second plan must be empty
// and report the same conflicts, so nothing flip-flops between runs.
func TestStable(t *testing.T) {
	in := mixedWorld()
	first := Calculate(in)
	in.Current = apply(in.Current, first.Changes)
	second := Calculate(in)
	if second.Changes.HasChanges() {
		t.Fatalf("second run still changes: %q", ops(second.Changes))
	}
	if !reflect.DeepEqual(conflicts(first.Conflicts), conflicts(second.Conflicts)) {
		t.Fatalf("conflicts moved:\nfirst  %q\nsecond %q", conflicts(first.Conflicts), conflicts(second.Conflicts))
	}
}

// apply is a minimal provider: it replaces records by key.
func apply(current []*endpoint.Endpoint, c *Changes) []*endpoint.Endpoint {
	drop := map[endpoint.Key]bool{}
	for _, e := range append(slices.Clone(c.Delete), c.UpdateOld...) {
		drop[e.Key()] = true
	}
	var out []*endpoint.Endpoint
	for _, e := range current {
		if !drop[e.Key()] {
			out = append(out, e)
		}
	}
	return append(append(out, c.Create...), c.UpdateNew...)
}
