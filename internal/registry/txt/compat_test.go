package txt

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// formProvider is a fakeProvider with Route 53's ownership form: the
// record's aws/* routing properties and a TTL of 300.
type formProvider struct{ *fakeProvider }

func (formProvider) OwnershipForm(rec *endpoint.Endpoint) (endpoint.TTL, endpoint.ProviderSpecific, error) {
	var ps endpoint.ProviderSpecific
	for _, p := range rec.ProviderSpecific {
		if strings.HasPrefix(p.Name, "aws/") && p.Name != "aws/evaluate-target-health" {
			ps = append(ps, p)
		}
	}
	if v, _ := rec.ProviderSpecific.Get("aws/failover"); v == "PRIMARY" && isAlias(rec) {
		if _, ok := rec.ProviderSpecific.Get("aws/health-check-id"); !ok {
			return 0, nil, errors.New("needs a health check")
		}
	}
	return 300, ps, nil
}

const ours = `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app"`

// TestOwnershipTTLIsLeftToProvider: like upstream's, an ownership record
// has no TTL of its own, on create and on update, whatever the record's.
func TestOwnershipTTLIsLeftToProvider(t *testing.T) {
	p := newFakeProvider()
	r := newRegistry(t, p, Config{})
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app("app.example.com", "A", "192.0.2.1").WithTTL(120)}}); err != nil {
		t.Fatal(err)
	}
	if ttl := p.get("a-app.example.com", "TXT").RecordTTL; ttl != 0 {
		t.Fatalf("created ownership record TTL %d, want none", ttl)
	}
	cur := records(t, r)["app.example.com/A"]
	next := app("app.example.com", "A", "192.0.2.1").WithTTL(60).WithLabel(endpoint.ResourceLabel, "ingress/default/other")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	if txt := p.get("a-app.example.com", "TXT"); txt.RecordTTL != 0 || !strings.Contains(txt.Targets[0], "ingress/default/other") {
		t.Fatalf("updated ownership record %v", txt)
	}
}

// TestProviderFormWrittenAndMigrated: with a provider form, ownership
// records carry the record's routing and the provider's TTL, exactly as
// upstream writes them; records in exodns's older form (weight 1, the
// record's TTL) are rewritten in place once, with nothing else to do.
func TestProviderFormWrittenAndMigrated(t *testing.T) {
	east := endpoint.New("app.example.com", "A", "192.0.2.1").WithSetIdentifier("east").WithTTL(60).WithProviderSpecific("aws/region", "eu-west-1")
	oldTXT := endpoint.New("a-app.example.com", "TXT", ours).WithSetIdentifier("east").WithTTL(60).WithProviderSpecific("aws/weight", "1")
	fp := formProvider{newFakeProvider(east, oldTXT)}
	// Through the dry-run wrapper, as --dry-run builds it, the form is
	// still found; the real provider is written below.
	dry := provider.DryRun(fp)
	if formerOf(dry) == nil {
		t.Fatal("the provider form is not found through the dry-run wrapper")
	}
	r, err := New(fp, Config{OwnerID: owner})
	if err != nil {
		t.Fatal(err)
	}
	if o := records(t, r)["app.example.com/A/east"].Labels.Get(endpoint.OwnerLabel); o != owner {
		t.Fatalf("owner %q", o)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil {
		t.Fatal(err)
	}
	c := fp.lastCall()
	if c == nil || len(c.UpdateNew) != 1 || len(c.Create)+len(c.Delete) != 0 {
		t.Fatalf("migration batch %+v", c)
	}
	got := fp.getSet("a-app.example.com", "TXT", "east")
	if got.RecordTTL != 300 || !got.ProviderSpecific.Same(endpoint.ProviderSpecific{{Name: "aws/region", Value: "eu-west-1"}}) || got.Targets[0] != ours {
		t.Fatalf("migrated ownership record %+v", got)
	}
	if c.UpdateOld[0].Labels.Get(endpoint.OwnedRecordLabel) != "app.example.com" {
		t.Errorf("the old ownership record does not name its record: %v", c.UpdateOld[0].Labels)
	}
	// Done once.
	records(t, r)
	if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil || len(fp.calls) != 1 {
		t.Fatalf("second run: %v, %d calls", err, len(fp.calls))
	}

	// A new record's ownership record is born in that form.
	west := app("app.example.com", "A", "192.0.2.2").WithSetIdentifier("west").WithProviderSpecific("aws/region", "us-east-1").
		WithProviderSpecific("aws/health-check-id", "abcdef11-2222-3333-4444-555555fedcba")
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{west}}); err != nil {
		t.Fatal(err)
	}
	got = fp.getSet("a-app.example.com", "TXT", "west")
	if got.RecordTTL != 300 || len(got.ProviderSpecific) != 2 {
		t.Fatalf("new ownership record %+v", got)
	}

	// A record whose ownership record the provider cannot store is held.
	bad := app("www.example.com", "A", "lb.example.net").WithSetIdentifier("p").WithProviderSpecific("alias", "true").
		WithProviderSpecific("aws/failover", "PRIMARY")
	adj, err := r.AdjustEndpoints([]*endpoint.Endpoint{bad})
	if err != nil || !adj[0].Held() || !strings.Contains(adj[0].Labels.Get(endpoint.HoldLabel), "needs a health check") {
		t.Fatalf("adjusted %+v, %v", adj, err)
	}
}

// TestAliasOwnershipFromCNAMEName: upstream before v0.22 owned AWS alias
// records through a "cname-" record. They are read, and replaced by the
// typed records upstream writes now, in one batch.
func TestAliasOwnershipFromCNAMEName(t *testing.T) {
	alias := func(typ string) *endpoint.Endpoint {
		return endpoint.New("app.example.com", typ, "lb.eu-west-1.elb.amazonaws.com").WithProviderSpecific("alias", "true")
	}
	p := newFakeProvider(alias("A"), alias("AAAA"), endpoint.New("cname-app.example.com", "TXT", ours),
		endpoint.New("other.example.com", "A", "lb.example.net").WithProviderSpecific("alias", "true"),
		endpoint.New("cname-other.example.com", "TXT", `"heritage=external-dns,external-dns/owner=someone-else"`))
	r := newRegistry(t, p, Config{})
	got := records(t, r)
	for _, k := range []string{"app.example.com/A", "app.example.com/AAAA"} {
		if o := got[k].Labels.Get(endpoint.OwnerLabel); o != owner {
			t.Errorf("%s owner %q", k, o)
		}
	}
	if o := got["other.example.com/A"].Labels.Get(endpoint.OwnerLabel); o != "someone-else" {
		t.Errorf("foreign alias owner %q", o)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil {
		t.Fatal(err)
	}
	c := p.lastCall()
	if c == nil || !slices.Equal(names(c.Create), []string{"a-app.example.com/TXT", "aaaa-app.example.com/TXT"}) ||
		!slices.Equal(names(c.Delete), []string{"cname-app.example.com/TXT"}) {
		t.Fatalf("migration batch %+v", c)
	}
	if c.Delete[0].Labels.Get(endpoint.OwnedRecordLabel) != "app.example.com" {
		t.Errorf("deleted record labels %v", c.Delete[0].Labels)
	}
	got = records(t, r)
	if got["app.example.com/A"].Labels.Get(endpoint.OwnerLabel) != owner || got["app.example.com/AAAA"].Labels.Get(endpoint.OwnerLabel) != owner {
		t.Fatalf("after migration %v", got)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil || len(p.calls) != 1 {
		t.Fatalf("second run: %v, %d calls", err, len(p.calls))
	}

	// Deleting an alias still owned through "cname-" deletes that too.
	p = newFakeProvider(alias("A"), endpoint.New("cname-app.example.com", "TXT", ours))
	r = newRegistry(t, p, Config{})
	cur := records(t, r)["app.example.com/A"]
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{cur}}); err != nil {
		t.Fatal(err)
	}
	if len(p.zone) != 0 {
		t.Fatalf("zone left with %v", p.zone)
	}
}

// TestOwnershipDeletesNameTheirRecord: every ownership record the registry
// deletes or replaces names the record it belongs to, as the ones it writes
// do, so a batching provider keeps them in the record's batch.
func TestOwnershipDeletesNameTheirRecord(t *testing.T) {
	p := newFakeProvider(endpoint.New("app.example.com", "A", "192.0.2.1"), endpoint.New("a-app.example.com", "TXT", ours))
	r := newRegistry(t, p, Config{})
	cur := records(t, r)["app.example.com/A"]
	next := app("app.example.com", "A", "192.0.2.1").WithLabel(endpoint.ResourceLabel, "ingress/default/other")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	if l := p.lastCall().UpdateOld[1].Labels.Get(endpoint.OwnedRecordLabel); l != "app.example.com" {
		t.Errorf("replaced ownership record names %q", l)
	}
	cur = records(t, r)["app.example.com/A"]
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{cur}}); err != nil {
		t.Fatal(err)
	}
	if l := p.lastCall().Delete[1].Labels.Get(endpoint.OwnedRecordLabel); l != "app.example.com" {
		t.Errorf("deleted ownership record names %q", l)
	}
}
