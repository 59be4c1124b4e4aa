package txt

import (
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func TestUpdate(t *testing.T) {
	p := newFakeProvider()
	r := newRegistry(t, p, Config{})
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app("app.example.com", "A", "192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}

	// A target change leaves the ownership record as it is.
	cur := records(t, r)["app.example.com/A"]
	next := app("app.example.com", "A", "192.0.2.2")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	if c := p.lastCall(); len(c.UpdateNew) != 1 || len(c.Create)+len(c.Delete) != 0 {
		t.Fatalf("target update batch %+v", c)
	}

	// A new resource rewrites it, from exactly what exists.
	cur = records(t, r)["app.example.com/A"]
	next = endpoint.New("app.example.com", "A", "192.0.2.2").WithLabel(endpoint.ResourceLabel, "ingress/default/other")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	c := p.lastCall()
	if len(c.UpdateOld) != 2 || c.UpdateOld[1].Targets[0] != `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app"` ||
		c.UpdateNew[1].Targets[0] != `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/other"` {
		t.Fatalf("resource update batch %+v", c)
	}

	// An update of a record whose ownership record went missing recreates it.
	delete(p.zone, endpoint.Key{DNSName: "a-app.example.com", RecordType: "TXT"})
	records(t, r)
	cur = endpoint.New("app.example.com", "A", "192.0.2.2")
	next = app("app.example.com", "A", "192.0.2.3")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	if c := p.lastCall(); !slices.Equal(names(c.Create), []string{"a-app.example.com/TXT"}) {
		t.Fatalf("recreate batch %+v", c)
	}
}

// TestUpdateToAliasKeepsOwnershipName: an A record that becomes an AWS
// alias keeps its "a-" ownership record, as upstream names aliases by their
// own type since v0.22.
func TestUpdateToAliasKeepsOwnershipName(t *testing.T) {
	p := newFakeProvider()
	r := newRegistry(t, p, Config{})
	plain := app("app.example.com", "A", "192.0.2.1")
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{plain}}); err != nil {
		t.Fatal(err)
	}
	cur := records(t, r)["app.example.com/A"]
	alias := app("app.example.com", "A", "lb.example.net").WithProviderSpecific("alias", "true")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{alias}}); err != nil {
		t.Fatal(err)
	}
	c := p.lastCall()
	if len(c.Delete)+len(c.Create) != 0 || !slices.Equal(names(c.UpdateNew), []string{"app.example.com/A"}) {
		t.Fatalf("deleted %v, created %v, updated %v", names(c.Delete), names(c.Create), names(c.UpdateNew))
	}
	if o := records(t, r)["app.example.com/A"].Labels.Get(endpoint.OwnerLabel); o != owner {
		t.Fatalf("alias record owner %q", o)
	}
}

func TestProviderSpecificAndSetIdentifier(t *testing.T) {
	p := newFakeProvider()
	r := newRegistry(t, p, Config{})
	east := app("app.example.com", "A", "192.0.2.1").WithSetIdentifier("east").WithTTL(120).WithProviderSpecific("aws/weight", "10")
	west := app("app.example.com", "A", "192.0.2.2").WithSetIdentifier("west").WithProviderSpecific("aws/weight", "90")
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{east, west}}); err != nil {
		t.Fatal(err)
	}
	// Without a provider form: no TTL of its own (the provider's
	// default), and no provider-specific properties.
	txt := p.getSet("a-app.example.com", "TXT", "east")
	if txt == nil || txt.RecordTTL != 0 || len(txt.ProviderSpecific) != 0 {
		t.Fatalf("east ownership record %+v", txt)
	}
	if p.getSet("a-app.example.com", "TXT", "west") == nil {
		t.Fatal("west ownership record missing")
	}
	got := records(t, r)
	if got["app.example.com/A/east"].Labels.Get(endpoint.OwnerLabel) != owner || got["app.example.com/A/west"].Labels.Get(endpoint.OwnerLabel) != owner {
		t.Fatalf("set records not owned: %v", got)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{got["app.example.com/A/west"]}}); err != nil {
		t.Fatal(err)
	}
	if d := p.lastCall().Delete; len(d) != 2 || d[1].SetIdentifier != "west" {
		t.Fatalf("deleted %+v", d)
	}
}

func TestOwnershipNameHasRecordType(t *testing.T) {
	tests := []struct {
		recordType, alias, want string
	}{
		{"A", "", "a-app.example.com"},
		{"A", "true", "a-app.example.com"},
		{"A", "A", "a-app.example.com"},
		{"A", "false", "a-app.example.com"},
		{"AAAA", "true", "aaaa-app.example.com"},
		{"CNAME", "", "cname-app.example.com"},
	}
	for _, tc := range tests {
		p := newFakeProvider()
		r := newRegistry(t, p, Config{})
		ep := app("app.example.com", tc.recordType, "x")
		if tc.alias != "" {
			ep.WithProviderSpecific("alias", tc.alias)
		}
		if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{ep}}); err != nil {
			t.Fatal(err)
		}
		if got := p.lastCall().Create[1].DNSName; got != tc.want {
			t.Errorf("%s alias=%q: %s, want %s", tc.recordType, tc.alias, got, tc.want)
		}
	}
}

// TestEquivalentOwnershipNotRewritten: an ownership record that says the
// same thing in another form (unquoted by the provider, name in capitals)
// is not rewritten when its record is updated.
func TestEquivalentOwnershipNotRewritten(t *testing.T) {
	p := newFakeProvider(
		endpoint.New("app.example.com", "A", "192.0.2.1"),
		endpoint.New("A-App.Example.com", "TXT", `external-dns/resource=ingress/default/app,heritage=external-dns,external-dns/owner=k3s-cluster`),
	)
	r := newRegistry(t, p, Config{})
	cur := records(t, r)["app.example.com/A"]
	if cur.Labels.Get(endpoint.OwnerLabel) != owner {
		t.Fatalf("labels %v", cur.Labels)
	}
	next := app("app.example.com", "A", "192.0.2.2")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	if c := p.lastCall(); len(c.UpdateNew) != 1 || len(c.Create)+len(c.Delete) != 0 {
		t.Fatalf("batch %+v", c)
	}

	// A real change updates it in place, under its existing name.
	cur = records(t, r)["app.example.com/A"]
	next = endpoint.New("app.example.com", "A", "192.0.2.2").WithLabel(endpoint.ResourceLabel, "ingress/default/other")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	if c := p.lastCall(); len(c.UpdateOld) != 2 || c.UpdateOld[1].DNSName != "A-App.Example.com" {
		t.Fatalf("batch %+v", c)
	}
}
