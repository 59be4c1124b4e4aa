package txt

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

const owner = "k3s-cluster"

var ctx = context.Background()

func newRegistry(t *testing.T, p *fakeProvider, cfg Config) *Registry {
	t.Helper()
	if cfg.OwnerID == "" {
		cfg.OwnerID = owner
	}
	r, err := New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func records(t *testing.T, r *Registry) map[string]*endpoint.Endpoint {
	t.Helper()
	eps, err := r.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*endpoint.Endpoint{}
	for _, e := range eps {
		out[e.Key().String()] = e
	}
	return out
}

func app(name, recordType string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, recordType, targets...).WithLabel(endpoint.ResourceLabel, "ingress/default/app")
}

// TestCreateGolden pins the exact name and value of the ownership record
// written for each affix style of the k3s report.
func TestCreateGolden(t *testing.T) {
	const value = `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app"`
	tests := []struct {
		name                     string
		cfg                      Config
		record, recordType, want string
	}{
		{"no affix", Config{}, "app.example.com", "A", "a-app.example.com"},
		{"prefix without separator", Config{Prefix: "k3s"}, "app.example.com", "A", "k3sa-app.example.com"},
		{"prefix with dash", Config{Prefix: "k3s-"}, "app.example.com", "A", "k3s-a-app.example.com"},
		{"templated prefix", Config{Prefix: "%{record_type}-k3s."}, "app.example.com", "A", "a-k3s.app.example.com"},
		{"suffix", Config{Suffix: "-k3s"}, "app.example.com", "A", "a-app-k3s.example.com"},
		{"templated suffix", Config{Suffix: "-%{record_type}"}, "app.example.com", "CNAME", "app-cname.example.com"},
		{"wildcard kept", Config{Prefix: "k3s-"}, "*.example.com", "A", "k3s-a-*.example.com"},
		{"wildcard replaced", Config{Prefix: "k3s-", WildcardReplacement: "wildcard"}, "*.example.com", "A", "k3s-a-wildcard.example.com"},
		{"apex", Config{Prefix: "k3s-"}, "example.com", "A", "k3s-a-example.com"},
		{"apex templated", Config{Prefix: "%{record_type}-k3s."}, "example.com", "A", "a-k3s.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newFakeProvider()
			r := newRegistry(t, p, tc.cfg)
			rec := app(tc.record, tc.recordType, "192.0.2.1")
			if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{rec}}); err != nil {
				t.Fatal(err)
			}
			if len(p.calls) != 1 {
				t.Fatalf("%d provider calls, want 1", len(p.calls))
			}
			c := p.calls[0]
			if len(c.Create) != 2 || c.Create[0] != rec {
				t.Fatalf("created %v, want the record then its ownership record", names(c.Create))
			}
			txt := c.Create[1]
			if txt.DNSName != tc.want || txt.RecordType != endpoint.RecordTypeTXT || !slices.Equal(txt.Targets, endpoint.Targets{value}) {
				t.Fatalf("ownership record %s %s %v, want %s TXT %s", txt.DNSName, txt.RecordType, txt.Targets, tc.want, value)
			}
			if txt.Labels.Get(endpoint.OwnedRecordLabel) != tc.record {
				t.Errorf("owned record label %q", txt.Labels.Get(endpoint.OwnedRecordLabel))
			}
			got := records(t, r)
			if len(got) != 1 {
				t.Fatalf("Records returned %d records, want the record alone", len(got))
			}
			for _, e := range got {
				if e.Labels.Get(endpoint.OwnerLabel) != owner || e.Labels.Get(endpoint.ResourceLabel) != "ingress/default/app" {
					t.Fatalf("labels %v", e.Labels)
				}
			}
		})
	}
}

func TestDeleteRemovesBoth(t *testing.T) {
	p := newFakeProvider()
	r := newRegistry(t, p, Config{Prefix: "k3s-"})
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app("app.example.com", "A", "192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}
	cur := records(t, r)["app.example.com/A"]
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{cur}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"app.example.com/A", "k3s-a-app.example.com/TXT"}; !slices.Equal(names(p.lastCall().Delete), want) {
		t.Fatalf("deleted %v, want %v", names(p.lastCall().Delete), want)
	}
	if len(p.zone) != 0 {
		t.Fatalf("zone left with %d records", len(p.zone))
	}
}

func TestForeignRecordsLeftAlone(t *testing.T) {
	p := newFakeProvider(
		endpoint.New("other.example.com", "A", "192.0.2.2"),
		endpoint.New("a-other.example.com", "TXT", `"heritage=external-dns,external-dns/owner=someone-else,external-dns/resource=service/x/y"`),
		endpoint.New("manual.example.com", "A", "192.0.2.3"),
		endpoint.New("spf.example.com", "TXT", `"v=spf1 -all"`),
		// An orphaned ownership record of someone else, with no record.
		endpoint.New("a-orphan.example.com", "TXT", `"heritage=external-dns,external-dns/owner=someone-else"`),
	)
	r := newRegistry(t, p, Config{})
	got := records(t, r)
	if len(got) != 3 {
		t.Fatalf("Records returned %v", got)
	}
	if l := got["other.example.com/A"].Labels; l.Get(endpoint.OwnerLabel) != "someone-else" || l.Get(endpoint.ResourceLabel) != "service/x/y" {
		t.Errorf("foreign record labels %v", l)
	}
	if l := got["manual.example.com/A"].Labels; l.Get(endpoint.OwnerLabel) != "" {
		t.Errorf("unowned record labels %v", l)
	}
	if got["spf.example.com/TXT"] == nil {
		t.Error("ordinary TXT record hidden")
	}

	for _, c := range []*plan.Changes{
		{Delete: []*endpoint.Endpoint{got["other.example.com/A"]}},
		{Delete: []*endpoint.Endpoint{endpoint.New("other.example.com", "A", "192.0.2.2")}},                                       // owner known from the zone
		{Delete: []*endpoint.Endpoint{endpoint.New("other.example.com", "A", "192.0.2.2").WithLabel(endpoint.OwnerLabel, owner)}}, // stale label
		{UpdateOld: []*endpoint.Endpoint{got["other.example.com/A"]}, UpdateNew: []*endpoint.Endpoint{endpoint.New("other.example.com", "A", "192.0.2.9")}},
	} {
		if err := r.ApplyChanges(ctx, c); err == nil {
			t.Error("change to a foreign record accepted")
		}
	}
	if len(p.calls) != 0 {
		t.Fatalf("provider called %d times", len(p.calls))
	}

	// Creating over someone else's orphan ownership record creates the
	// record and leaves their TXT as it is.
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app("orphan.example.com", "A", "192.0.2.4")}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"orphan.example.com/A"}; !slices.Equal(names(p.lastCall().Create), want) || len(p.lastCall().UpdateNew) != 0 {
		t.Fatalf("created %v, updated %v", names(p.lastCall().Create), names(p.lastCall().UpdateNew))
	}
}

func TestLegacyMigration(t *testing.T) {
	legacyValue := `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app"`
	p := newFakeProvider(
		endpoint.New("app.example.com", "A", "192.0.2.1").WithTTL(60),
		endpoint.New("app.example.com", "MX", "10 mail.example.com"),
		endpoint.New("app.example.com", "AAAA", "2001:db8::1"),
		endpoint.New("k3s-app.example.com", "TXT", legacyValue),
		endpoint.New("other.example.com", "A", "192.0.2.2"),
		endpoint.New("k3s-other.example.com", "TXT", `"heritage=external-dns,external-dns/owner=someone-else"`),
	)
	r := newRegistry(t, p, Config{Prefix: "k3s-"})
	got := records(t, r)
	if len(got) != 4 {
		t.Fatalf("Records returned %v", got)
	}
	for _, k := range []string{"app.example.com/A", "app.example.com/MX"} {
		if l := got[k].Labels; l.Get(endpoint.OwnerLabel) != owner || l.Get(endpoint.ResourceLabel) != "ingress/default/app" {
			t.Errorf("%s labels %v", k, l)
		}
	}
	if o := got["app.example.com/AAAA"].Labels.Get(endpoint.OwnerLabel); o != "" {
		t.Errorf("legacy record claimed the AAAA record for %q", o)
	}
	if o := got["other.example.com/A"].Labels.Get(endpoint.OwnerLabel); o != "someone-else" {
		t.Errorf("foreign legacy owner %q", o)
	}

	// Nothing to change, but the records owned through the legacy record
	// get current ownership records; the foreign one does not.
	if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil {
		t.Fatal(err)
	}
	if len(p.calls) != 1 {
		t.Fatalf("%d provider calls, want 1", len(p.calls))
	}
	c := p.calls[0]
	if want := []string{"k3s-a-app.example.com/TXT", "k3s-mx-app.example.com/TXT"}; !slices.Equal(names(c.Create), want) || len(c.Delete)+len(c.UpdateNew) != 0 {
		t.Fatalf("migration batch %+v", c)
	}
	if txt := p.get("k3s-a-app.example.com", "TXT"); txt.Targets[0] != legacyValue || txt.RecordTTL != 0 {
		t.Errorf("migrated ownership record %v", txt)
	}
	// Done once: a second call, with or without Records in between, has
	// nothing to do.
	if err := r.ApplyChanges(ctx, nil); err != nil {
		t.Fatal(err)
	}
	records(t, r)
	if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil {
		t.Fatal(err)
	}
	if len(p.calls) != 1 {
		t.Fatalf("%d provider calls, want 1", len(p.calls))
	}

	// Deleting a record removes its ownership record and the legacy one.
	cur := records(t, r)["app.example.com/A"]
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{cur}}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"app.example.com/A", "k3s-a-app.example.com/TXT", "k3s-app.example.com/TXT"}; !slices.Equal(names(p.lastCall().Delete), want) {
		t.Fatalf("deleted %v, want %v", names(p.lastCall().Delete), want)
	}
	if o := records(t, r)["app.example.com/MX"].Labels.Get(endpoint.OwnerLabel); o != owner {
		t.Fatalf("MX lost its owner: %q", o)
	}
}

// TestLegacyDeleteMigratesSiblings: deleting one record of a name owned
// through a legacy record, before any migration ran, must not orphan the
// other records of that name.
func TestLegacyDeleteMigratesSiblings(t *testing.T) {
	p := newFakeProvider(
		endpoint.New("app.example.com", "A", "192.0.2.1"),
		endpoint.New("app.example.com", "MX", "10 mail.example.com"),
		endpoint.New("app.example.com", "TXT", `"heritage=external-dns,external-dns/owner=k3s-cluster"`),
	)
	r := newRegistry(t, p, Config{})
	cur := records(t, r)["app.example.com/A"]
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{cur}}); err != nil {
		t.Fatal(err)
	}
	c := p.lastCall()
	if !slices.Equal(names(c.Delete), []string{"app.example.com/A", "app.example.com/TXT"}) || !slices.Equal(names(c.Create), []string{"mx-app.example.com/TXT"}) {
		t.Fatalf("batch deleted %v, created %v", names(c.Delete), names(c.Create))
	}
}

// TestReadsUpstreamRecords: ownership records as upstream writes them,
// routing properties copied in and all, are read and kept.
func TestReadsUpstreamRecords(t *testing.T) {
	txt := endpoint.New("a-k3s.app.example.com", "TXT", `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app"`).
		WithSetIdentifier("east").WithProviderSpecific("aws/weight", "10")
	p := newFakeProvider(
		endpoint.New("app.example.com", "A", "192.0.2.1").WithSetIdentifier("east").WithProviderSpecific("aws/weight", "10"),
		txt,
	)
	r := newRegistry(t, p, Config{Prefix: "%{record_type}-k3s."})
	got := records(t, r)
	if len(got) != 1 || got["app.example.com/A/east"].Labels.Get(endpoint.OwnerLabel) != owner {
		t.Fatalf("Records %v", got)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil || len(p.calls) != 0 {
		t.Fatalf("no-op apply: %v, %d calls", err, len(p.calls))
	}
}

func TestWildcardReplacementRecords(t *testing.T) {
	p := newFakeProvider()
	r := newRegistry(t, p, Config{WildcardReplacement: "wildcard"})
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app("*.example.com", "CNAME", "lb.example.net")}}); err != nil {
		t.Fatal(err)
	}
	if p.get("cname-wildcard.example.com", "TXT") == nil {
		t.Fatal("ownership record not written under the replacement")
	}
	cur := records(t, r)["*.example.com/CNAME"]
	if cur == nil || cur.Labels.Get(endpoint.OwnerLabel) != owner {
		t.Fatalf("wildcard record %v", cur)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{cur}}); err != nil {
		t.Fatal(err)
	}
	if len(p.zone) != 0 {
		t.Fatalf("zone left with %v", p.zone)
	}
}

// TestRecordsDoNotAliasProvider: records are returned as copies, so labels
// never leak into a provider's cache, and a provider's stale owner label
// does not stand in for a missing ownership record.
func TestRecordsDoNotAliasProvider(t *testing.T) {
	shared := endpoint.New("app.example.com", "A", "192.0.2.1").WithLabel(endpoint.OwnerLabel, "stale")
	owned := endpoint.New("owned.example.com", "A", "192.0.2.2")
	p := &cachingProvider{fakeProvider: newFakeProvider(), records: []*endpoint.Endpoint{
		shared, owned, endpoint.New("a-owned.example.com", "TXT", `"heritage=external-dns,external-dns/owner=k3s-cluster"`),
	}}
	r, err := New(p, Config{OwnerID: owner})
	if err != nil {
		t.Fatal(err)
	}
	eps, err := r.Records(ctx)
	if err != nil || len(eps) != 2 {
		t.Fatal(eps, err)
	}
	if eps[0].Labels.Get(endpoint.OwnerLabel) != "" || eps[1].Labels.Get(endpoint.OwnerLabel) != owner {
		t.Fatalf("labels %v %v", eps[0].Labels, eps[1].Labels)
	}
	if shared.Labels.Get(endpoint.OwnerLabel) != "stale" || owned.Labels.Len() != 0 || eps[0] == shared || eps[1] == owned {
		t.Fatal("the provider's records were changed or handed out")
	}
}

type cachingProvider struct {
	*fakeProvider
	records []*endpoint.Endpoint
}

func (c *cachingProvider) Records(context.Context) ([]*endpoint.Endpoint, error) {
	return c.records, nil
}

func TestNothingToDo(t *testing.T) {
	p := newFakeProvider(endpoint.New("manual.example.com", "A", "192.0.2.1"))
	r := newRegistry(t, p, Config{})
	for _, c := range []*plan.Changes{nil, {}} {
		if err := r.ApplyChanges(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.calls) != 0 {
		t.Fatalf("provider called %d times", len(p.calls))
	}
	if p.readsN != 1 {
		t.Fatalf("zone read %d times; ApplyChanges before Records reads it once", p.readsN)
	}
}

func TestErrors(t *testing.T) {
	boom := errors.New("boom")
	p := newFakeProvider()
	p.recErr = boom
	r := newRegistry(t, p, Config{})
	if _, err := r.Records(ctx); !errors.Is(err, boom) || err.Error() != "txt registry: boom" {
		t.Fatalf("Records error %v", err)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{}); !errors.Is(err, boom) {
		t.Fatalf("ApplyChanges error %v", err)
	}
	p.recErr = nil
	p.applyFn = func(*plan.Changes) error { return boom }
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app("a.example.com", "A", "192.0.2.1")}}); !errors.Is(err, boom) {
		t.Fatalf("ApplyChanges error %v", err)
	}
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{app("a.example.com", "A", "192.0.2.1")}}); err == nil {
		t.Fatal("unpaired update accepted")
	}
}

func TestNewValidates(t *testing.T) {
	p := newFakeProvider()
	for _, cfg := range []Config{
		{},
		{OwnerID: owner, Prefix: "p-", Suffix: "-s"},
		{OwnerID: owner, EncryptKey: []byte("short")},
		{OwnerID: owner, DecryptOnly: true},
	} {
		if _, err := New(p, cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	r := newRegistry(t, p, Config{})
	if r.OwnerID() != owner {
		t.Fatal(r.OwnerID())
	}
	adj, err := r.AdjustEndpoints([]*endpoint.Endpoint{endpoint.New("a.example.com", "A", "192.0.2.1")})
	if err != nil || adj[0].RecordTTL != 300 {
		t.Fatal("AdjustEndpoints did not delegate")
	}
}

// TestConcurrentUse is for the race detector: the snapshot is shared
// between Records and ApplyChanges.
func TestConcurrentUse(t *testing.T) {
	p := newFakeProvider(
		endpoint.New("app.example.com", "A", "192.0.2.1"),
		endpoint.New("app.example.com", "TXT", `"heritage=external-dns,external-dns/owner=k3s-cluster"`),
	)
	r := newRegistry(t, p, Config{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				if _, err := r.Records(ctx); err != nil {
					t.Error(err)
				}
				if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if p.get("a-app.example.com", "TXT") == nil {
		t.Fatal("migration did not happen")
	}
}

// TestRecordsKeepNoProviderRecord: once Records returned, the snapshot
// must not keep the provider's own copy of any record but the ownership
// records it may delete or update later. Each kept record cost 128 bytes
// plus its list until the next read (an hour, by default), 1.3 MB at 10^4.
func TestRecordsKeepNoProviderRecord(t *testing.T) {
	const n = 64
	var zone []*endpoint.Endpoint
	for i := range n {
		name := fmt.Sprintf("app-%d.example.com", i)
		zone = append(zone, endpoint.New(name, "A", "192.0.2.1"),
			endpoint.New("a-"+name, "TXT", `"heritage=external-dns,external-dns/owner=k3s-cluster"`))
	}
	var released atomic.Int32
	p := &cachingProvider{fakeProvider: newFakeProvider()}
	r, err := New(p, Config{OwnerID: owner})
	if err != nil {
		t.Fatal(err)
	}
	for read := range 2 { // the second read reuses the first one's snapshot
		p.records = make([]*endpoint.Endpoint, 0, len(zone))
		for _, e := range zone {
			c := e.DeepCopy()
			if c.RecordType == "A" {
				runtime.AddCleanup(c, func(*atomic.Int32) { released.Add(1) }, &released)
			}
			p.records = append(p.records, c)
		}
		eps, err := r.Records(ctx)
		if err != nil || len(eps) != n {
			t.Fatal(len(eps), err)
		}
		p.records = nil
		want := int32((read + 1) * n)
		for try := 0; try < 100 && released.Load() < want; try++ {
			runtime.GC()
			time.Sleep(time.Millisecond)
		}
		if got := released.Load(); got < want {
			t.Fatalf("read %d: %d of the provider's %d A records released; the registry keeps the rest", read+1, got-int32(read*n), n)
		}
		runtime.KeepAlive(eps)
	}
}

// TestCallerOwnsReturnedRecords: Records hands out copies, and a caller
// may change them as it likes while another goroutine reads the zone
// again: nothing the registry reads later may be memory it handed out.
// Run with -race (hack/test.sh does).
func TestCallerOwnsReturnedRecords(t *testing.T) {
	var zone []*endpoint.Endpoint
	for i := range 20 {
		name := fmt.Sprintf("app-%d.example.com", i)
		zone = append(zone, endpoint.New(name, "A", "192.0.2.1"),
			endpoint.New("a-"+name, "TXT", `"heritage=external-dns,external-dns/owner=k3s-cluster"`))
	}
	r := newRegistry(t, newFakeProvider(zone...), Config{})
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			for i := range 30 {
				eps, err := r.Records(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				for _, e := range eps {
					e.DNSName = fmt.Sprintf("mine-%d-%d.%s", g, i, e.DNSName)
					e.RecordType = "CNAME"
					e.Labels.Set("scribble", "x")
				}
			}
		})
	}
	wg.Wait()
	if got := records(t, r); len(got) != 20 || got["app-7.example.com/A"] == nil {
		t.Fatalf("after callers changed their copies: %d records %v", len(got), got)
	}
}
