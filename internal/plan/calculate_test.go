package plan

import (
	"reflect"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// policyWorld has one record to create, one to update and one to delete.
func policyWorld(policy Policy) planCase {
	return planCase{
		desired: eps{by(a("new.example.com", "1.1.1.1"), "service/ns/new"), by(a("upd.example.com", "2.2.2.2"), "service/ns/upd")},
		current: eps{ours(a("upd.example.com", "9.9.9.9"), "service/ns/upd"), ours(a("old.example.com", "3.3.3.3"), "service/ns/old")},
		opts:    func(in *Input) { in.Policy = policy },
	}
}

func TestPolicies(t *testing.T) {
	want := map[Policy][]string{
		PolicySync:       {"+new.example.com/A", "~upd.example.com/A", "-old.example.com/A"},
		PolicyUpsertOnly: {"+new.example.com/A", "~upd.example.com/A"},
		PolicyCreateOnly: {"+new.example.com/A"},
		"":               {"+new.example.com/A"}, // unknown: never destructive
		"bogus":          {"+new.example.com/A"},
	}
	var cases []planCase
	for p, ops := range want {
		c := policyWorld(p)
		c.name, c.ops = "policy="+string(p), ops
		cases = append(cases, c)
	}
	runCases(t, cases)
}

func TestParsePolicy(t *testing.T) {
	for _, s := range []string{"sync", "upsert-only", "create-only"} {
		if p, err := ParsePolicy(s); err != nil || string(p) != s {
			t.Errorf("ParsePolicy(%q) = %q, %v", s, p, err)
		}
	}
	for _, s := range []string{"", "Sync", "upsert", "delete"} {
		if _, err := ParsePolicy(s); err == nil {
			t.Errorf("ParsePolicy(%q) succeeded", s)
		}
	}
}

func TestOwnership(t *testing.T) {
	runCases(t, []planCase{
		{
			name:      "foreign record is never updated and blocks the create",
			desired:   eps{by(a("x.example.com", "1.1.1.1"), "service/ns/x")},
			current:   eps{owned(by(a("x.example.com", "2.2.2.2"), "service/other/x"), "them")},
			conflicts: only("x.example.com/A service/other/x>service/ns/x: owned by them"),
		},
		{
			name:    "foreign record that is not desired is never deleted",
			current: eps{owned(a("x.example.com", "2.2.2.2"), "them")},
		},
		{
			name:      "record without owner is not ours when we have an owner ID",
			desired:   eps{by(a("x.example.com", "1.1.1.1"), "service/ns/x")},
			current:   eps{a("x.example.com", "2.2.2.2"), a("y.example.com", "2.2.2.2")},
			conflicts: only("x.example.com/A >service/ns/x: " + ownedBy(a("x.example.com", "2.2.2.2"))),
		},
		{
			name:    "noop registry: records without owner are ours",
			desired: eps{by(a("x.example.com", "1.1.1.1"), "service/ns/x")},
			current: eps{a("x.example.com", "2.2.2.2"), a("y.example.com", "2.2.2.2"), owned(a("z.example.com", "3.3.3.3"), "them")},
			opts:    func(in *Input) { in.OwnerID = "" },
			ops:     only("~x.example.com/A", "-y.example.com/A"),
		},
		{
			name:      "identical foreign record is still reported",
			desired:   eps{by(a("x.example.com", "1.1.1.1"), "service/ns/x")},
			current:   eps{owned(a("x.example.com", "1.1.1.1"), "them")},
			conflicts: only("x.example.com/A >service/ns/x: owned by them"),
		},
		{
			name:      "a duplicate current key with a foreign copy is treated as foreign",
			desired:   eps{by(a("x.example.com", "1.1.1.1"), "service/ns/x")},
			current:   eps{ours(a("x.example.com", "2.2.2.2"), "service/ns/x"), owned(a("x.example.com", "2.2.2.2"), "them")},
			conflicts: only("x.example.com/A >service/ns/x: owned by them"),
		},
	})
}

func TestUpdates(t *testing.T) {
	const res = "service/ns/x"
	cur := func() *endpoint.Endpoint { return ours(a("x.example.com", "1.1.1.1", "1.1.1.2").WithTTL(300), res) }
	runCases(t, []planCase{
		{name: "in sync", desired: eps{by(a("x.example.com", "1.1.1.2", "1.1.1.1").WithTTL(300), res)}, current: eps{cur()}},
		{name: "unconfigured TTL is no difference", desired: eps{by(a("x.example.com", "1.1.1.1", "1.1.1.2"), res)}, current: eps{cur()}},
		{name: "configured TTL differs", desired: eps{by(a("x.example.com", "1.1.1.1", "1.1.1.2").WithTTL(60), res)}, current: eps{cur()}, ops: only("~x.example.com/A")},
		{name: "targets differ", desired: eps{by(a("x.example.com", "1.1.1.1"), res)}, current: eps{cur()}, ops: only("~x.example.com/A")},
		{name: "hostname case and trailing dot are no difference",
			desired: eps{by(cname("x.example.com", "LB.example.net."), res)},
			current: eps{ours(cname("x.example.com", "lb.example.net"), res)}},
		{name: "provider-specific differs",
			desired: eps{by(a("x.example.com", "1.1.1.1", "1.1.1.2").WithProviderSpecific("aws/weight", "10"), res)},
			current: eps{cur()}, ops: only("~x.example.com/A")},
		{name: "provider-specific in another order is no difference",
			desired: eps{by(a("x.example.com", "1.1.1.1", "1.1.1.2").WithProviderSpecific("b", "2").WithProviderSpecific("a", "1"), res)},
			current: eps{cur().WithProviderSpecific("a", "1").WithProviderSpecific("b", "2")}},
		{name: "resource label changed", desired: eps{by(a("x.example.com", "1.1.1.1", "1.1.1.2"), "ingress/ns/x")}, current: eps{cur()}, ops: only("~x.example.com/A")},
		{name: "desired without resource label keeps the current one", desired: eps{a("x.example.com", "1.1.1.1", "1.1.1.2")}, current: eps{cur()}},
		{name: "noop registry does not chase a resource label it cannot store",
			desired: eps{by(a("x.example.com", "1.1.1.1"), res)},
			current: eps{a("x.example.com", "1.1.1.1")},
			opts:    func(in *Input) { in.OwnerID = "" }},
		{name: "txt registry adds a missing resource label",
			desired: eps{by(a("x.example.com", "1.1.1.1"), res)},
			current: eps{owned(a("x.example.com", "1.1.1.1"), me)},
			ops:     only("~x.example.com/A")},
	})
}

func TestChangeContents(t *testing.T) {
	in := Input{
		Desired: eps{
			by(a("new.example.com", "1.1.1.1").WithTTL(60), "service/ns/new"),
			by(a("upd.example.com", "2.2.2.2").WithProviderSpecific("p", "v"), "ingress/ns/upd"),
		},
		Current: eps{ours(a("upd.example.com", "9.9.9.9").WithTTL(600), "service/ns/upd").WithLabel("extra", "kept")},
		OwnerID: me, Policy: PolicySync,
	}
	r := Calculate(in)
	c := r.Changes
	if len(c.Create) != 1 || len(c.UpdateNew) != 1 || len(c.UpdateOld) != 1 {
		t.Fatalf("unexpected changes %+v", c)
	}
	wantCreate := endpoint.New("new.example.com", "A", "1.1.1.1").WithTTL(60).
		WithLabel(endpoint.ResourceLabel, "service/ns/new").WithLabel(endpoint.OwnerLabel, me)
	if !reflect.DeepEqual(c.Create[0], wantCreate) {
		t.Errorf("create = %+v, want %+v", c.Create[0], wantCreate)
	}
	wantNew := endpoint.New("upd.example.com", "A", "2.2.2.2").WithTTL(600).WithProviderSpecific("p", "v").
		WithLabel(endpoint.ResourceLabel, "ingress/ns/upd").WithLabel(endpoint.OwnerLabel, me).WithLabel("extra", "kept")
	if !reflect.DeepEqual(c.UpdateNew[0], wantNew) {
		t.Errorf("updateNew = %+v, want %+v (unset TTL keeps the current one)", c.UpdateNew[0], wantNew)
	}
	if !reflect.DeepEqual(c.UpdateOld[0], in.Current[0]) || c.UpdateOld[0] == in.Current[0] {
		t.Errorf("updateOld must be a copy of the current record")
	}

	in.OwnerID = ""
	in.Current = nil
	if got := Calculate(in).Changes.Create[0].Labels; got.Get(endpoint.OwnerLabel) != "" || got.Len() != 1 {
		t.Errorf("noop create labels = %v, want only the resource label", got)
	}
}

func TestInputsAreNotModified(t *testing.T) {
	in := mixedWorld()
	before := Input{Desired: deepCopies(in.Desired), Current: deepCopies(in.Current)}
	r := Calculate(in)
	if !reflect.DeepEqual(in.Desired, before.Desired) || !reflect.DeepEqual(in.Current, before.Current) {
		t.Fatal("Calculate modified its input")
	}
	// Scribbling on the result must not reach the inputs either.
	for _, list := range [][]*endpoint.Endpoint{r.Changes.Create, r.Changes.UpdateOld, r.Changes.UpdateNew, r.Changes.Delete} {
		for _, e := range list {
			e.Targets[0] = "scribbled"
			e.Labels.Set("scribbled", "yes")
		}
	}
	if !reflect.DeepEqual(in.Desired, before.Desired) || !reflect.DeepEqual(in.Current, before.Current) {
		t.Fatal("the result shares memory with the input")
	}
}

func deepCopies(in []*endpoint.Endpoint) []*endpoint.Endpoint {
	out := make([]*endpoint.Endpoint, len(in))
	for i, e := range in {
		out[i] = e.DeepCopy()
	}
	return out
}

func TestEmptyInput(t *testing.T) {
	r := Calculate(Input{})
	if r.Changes == nil || r.Changes.HasChanges() || len(r.Conflicts) != 0 {
		t.Fatalf("empty input gave %+v", r)
	}
}
