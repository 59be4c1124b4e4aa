package embedded

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

func newProvider(t *testing.T, zones ...string) (*Provider, *dnsserver.Authority) {
	t.Helper()
	a, err := dnsserver.NewAuthority(store.NewMemory([]string{"example.com", "example.org"}), dnsserver.ZoneOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(a, zones...), a
}

func desired() []*endpoint.Endpoint {
	return []*endpoint.Endpoint{
		endpoint.New("www.example.com", "A", "192.0.2.1"), // TTL unset
		endpoint.New("api.example.com", "CNAME", "www.example.com").WithTTL(60),
		endpoint.New("txt.example.com", "TXT", `"heritage=external-dns"`),
		endpoint.New("geo.example.com", "A", "192.0.2.7").WithSetIdentifier("eu").WithProviderSpecific("aws/weight", "10"),
	}
}

func plan1(desired, current []*endpoint.Endpoint) *plan.Changes {
	return plan.Calculate(plan.Input{
		Desired: desired, Current: current, Policy: plan.PolicySync,
		ManagedTypes: []string{"A", "AAAA", "CNAME", "TXT"},
	}).Changes
}

// TestConverges runs the controller's loop by hand: plan, apply, read back,
// plan again. The second plan must be empty, or every resync would rewrite
// records forever.
func TestConverges(t *testing.T) {
	p, a := newProvider(t)
	ctx := context.Background()
	want, err := p.AdjustEndpoints(desired())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ApplyChanges(ctx, plan1(want, nil)); err != nil {
		t.Fatal(err)
	}
	cur, err := p.Records(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != 4 {
		t.Fatalf("records: %v", cur)
	}
	for _, e := range cur {
		if e.Labels.Len() != 0 {
			t.Errorf("%s: labels %v, want empty", e, e.Labels)
		}
	}
	if c := plan1(want, cur); c.HasChanges() {
		t.Errorf("second plan not empty: %+v", c)
	}

	// And the server answers it now, with the default TTL for the unset one.
	w := &rec{}
	dnsserver.NewHandler(a, dnsserver.Config{}).ServeDNS(w, q("www.example.com.", dns.TypeA))
	if len(w.m.Answer) != 1 || w.m.Answer[0].Header().Ttl != dnsserver.DefaultTTL {
		t.Errorf("answer: %v", w.m.Answer)
	}
}

// TestStrayNameDoesNotBlockTheBatch: a name outside every --embedded-zone
// used to fail the whole batch, forever. It is refused alone now, named in
// the refusal; the rest lands.
func TestStrayNameDoesNotBlockTheBatch(t *testing.T) {
	p, _ := newProvider(t, "example.org")
	ctx := context.Background()
	err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{
		endpoint.New("a.example.org", "A", "192.0.2.1"), endpoint.New("a.example.com", "A", "192.0.2.1"),
	}})
	re, ok := provider.AsRefused(err)
	if !ok {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if len(re.Refused) != 1 || re.Refused[0].Endpoint.DNSName != "a.example.com" || !errors.Is(re.Refused[0].Err, store.ErrNoZone) {
		t.Fatalf("refused %+v, want only a.example.com for its zone", re.Refused)
	}
	if re.Applied != 1 {
		t.Errorf("Applied = %d, want 1", re.Applied)
	}
	recs, _ := p.Records(ctx)
	if len(recs) != 1 || recs[0].DNSName != "a.example.org" {
		t.Errorf("records %v, want a.example.org only", recs)
	}
}

// TestAdjustHoldsStrayNames: the plan never even proposes a name outside
// the zones; it is held and reported, like an invalid annotation.
func TestAdjustHoldsStrayNames(t *testing.T) {
	p, _ := newProvider(t, "example.org")
	out, err := p.AdjustEndpoints([]*endpoint.Endpoint{
		endpoint.New("app.example.com", "A", "192.0.2.1"), endpoint.New("ok.example.org", "A", "192.0.2.2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !out[0].Held() || !strings.Contains(out[0].Labels.Get(endpoint.HoldLabel), "example.org") {
		t.Errorf("stray not held with the zones named: %v", out[0].Labels)
	}
	if out[1].Held() {
		t.Errorf("in-zone name held: %v", out[1].Labels)
	}
}

// TestOneRefusedChangeDoesNotBlockNeighbours: the store refuses a create of
// an existing record; the batch's other changes are applied, and only the
// refused change is reported, with the store's reason.
func TestOneRefusedChangeDoesNotBlockNeighbours(t *testing.T) {
	p, _ := newProvider(t)
	ctx := context.Background()
	if err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("dup.example.com", "A", "192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}
	var batch plan.Changes
	for i := range 9 {
		batch.Create = append(batch.Create, endpoint.New(fmt.Sprintf("n%d.example.com", i), "A", "192.0.2.2"))
	}
	batch.Create = append(batch.Create[:4], append([]*endpoint.Endpoint{endpoint.New("dup.example.com", "A", "192.0.2.3")}, batch.Create[4:]...)...)
	err := p.ApplyChanges(ctx, &batch)
	re, ok := provider.AsRefused(err)
	if !ok {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if len(re.Refused) != 1 || re.Refused[0].Endpoint.DNSName != "dup.example.com" || !errors.Is(re.Refused[0].Err, store.ErrRecordExists) {
		t.Fatalf("refused %+v, want only dup.example.com as existing", re.Refused)
	}
	recs, _ := p.Records(ctx)
	if len(recs) != 10 {
		t.Errorf("%d records, want the 9 neighbours and the first dup", len(recs))
	}
}

func TestAdjustHoldsWhatCannotBeServed(t *testing.T) {
	p, _ := newProvider(t)
	in := []*endpoint.Endpoint{
		endpoint.New("ok.example.com", "A", "192.0.2.1"),
		endpoint.New("bad.example.com", "MX", "not-a-number mail.example.com"),
	}
	out, err := p.AdjustEndpoints(in)
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != in[0] || out[0].Held() {
		t.Errorf("valid endpoint changed: %v", out[0])
	}
	if !out[1].Held() || in[1].Held() {
		t.Errorf("invalid endpoint not held on a copy: %v / %v", out[1].Labels, in[1].Labels)
	}
}

// rec keeps the one message a handler writes.
type rec struct{ m *dns.Msg }

func (r *rec) LocalAddr() net.Addr       { return &net.UDPAddr{} }
func (r *rec) RemoteAddr() net.Addr      { return &net.UDPAddr{} }
func (r *rec) WriteMsg(m *dns.Msg) error { r.m = m; return nil }
func (r *rec) Write(b []byte) (int, error) {
	return len(b), nil
}
func (r *rec) Close() error        { return nil }
func (r *rec) TsigStatus() error   { return nil }
func (r *rec) TsigTimersOnly(bool) {}
func (r *rec) Hijack()             {}

func q(name string, t uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, t)
	return m
}
