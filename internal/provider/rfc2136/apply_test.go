package rfc2136

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

func testConfig() Config {
	c := DefaultConfig()
	c.Host, c.Zones, c.TSIGKeyName, c.TSIGSecret = "127.0.0.1", []string{"example.test", "sub.example.test"}, "ci-key", "c2VjcmV0"
	return c
}

// fakeClient records the messages sent and answers with the next rcode.
type fakeClient struct {
	sent   []*dns.Msg
	rcodes func(m *dns.Msg) int
	rrs    []dns.RR
	err    error
	serial uint32 // raised by every update that lands, as a server does
}

func (f *fakeClient) Transfer(_ context.Context, zone string) ([]dns.RR, error) {
	var out []dns.RR
	for _, rr := range f.rrs {
		if dns.IsSubDomain(dns.Fqdn(zone), rr.Header().Name) {
			out = append(out, rr)
		}
	}
	return out, f.err
}
func (f *fakeClient) Update(_ context.Context, m *dns.Msg) error {
	f.sent = append(f.sent, m)
	if f.err != nil {
		return f.err
	}
	if rc := f.rcodes(m); rc != dns.RcodeSuccess {
		return &RcodeError{Op: "update", Rcode: rc}
	}
	f.serial++
	return nil
}

func (f *fakeClient) Serial(context.Context, string) (uint32, error) { return f.serial, f.err }

func lines(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, strings.Join(strings.Fields(rr.String()), " "))
	}
	return out
}

func TestMessage(t *testing.T) {
	p, err := New(testConfig(), Options{Client: &fakeClient{}})
	if err != nil {
		t.Fatal(err)
	}
	a := func(ip string) *endpoint.Endpoint { return endpoint.New("app.example.test", "A", ip) }
	tests := []struct {
		name           string
		items          []provider.Change
		prereq, update []string
	}{
		{"create", []provider.Change{{Action: "create", Endpoint: a("192.0.2.1").WithTTL(60)}},
			[]string{"app.example.test. 0 NONE CNAME", "app.example.test. 0 NONE A"},
			[]string{"app.example.test. 60 IN A 192.0.2.1"}},
		{"create a CNAME needs the name unused", []provider.Change{{Action: "create", Endpoint: endpoint.New("www.example.test", "CNAME", "app.example.test")}},
			[]string{"www.example.test. 0 NONE ANY"},
			[]string{"www.example.test. 300 IN CNAME app.example.test."}},
		{"update requires the old values exactly", []provider.Change{{Action: "update", Old: a("192.0.2.1"), Endpoint: a("192.0.2.2")}},
			[]string{"app.example.test. 0 IN A 192.0.2.1"},
			[]string{"app.example.test. 0 CLASS255 A", "app.example.test. 300 IN A 192.0.2.2"}},
		{"delete", []provider.Change{{Action: "delete", Endpoint: endpoint.New("app.example.test", "TXT", `"heritage=external-dns"`)}},
			[]string{`app.example.test. 0 IN TXT "heritage=external-dns"`},
			[]string{"app.example.test. 0 CLASS255 TXT"}},
		{"an A replaced by a CNAME in one message", []provider.Change{{Action: "delete", Endpoint: a("192.0.2.1")}, {Action: "create", Endpoint: endpoint.New("app.example.test", "CNAME", "lb.example.net")}},
			[]string{"app.example.test. 0 IN A 192.0.2.1", "app.example.test. 0 NONE CNAME"},
			[]string{"app.example.test. 0 CLASS255 A", "app.example.test. 300 IN CNAME lb.example.net."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := p.message("example.test", tt.items)
			if err != nil {
				t.Fatal(err)
			}
			if m.Opcode != dns.OpcodeUpdate || m.Question[0].Name != "example.test." || m.Question[0].Qtype != dns.TypeSOA {
				t.Errorf("header/zone = %v", m.MsgHdr)
			}
			if got := lines(m.Answer); !slices.Equal(got, tt.prereq) {
				t.Errorf("prerequisites\n got %q\nwant %q", got, tt.prereq)
			}
			if got := lines(m.Ns); !slices.Equal(got, tt.update) {
				t.Errorf("updates\n got %q\nwant %q", got, tt.update)
			}
		})
	}
	if _, err := p.message("example.test", []provider.Change{{Action: "create", Endpoint: endpoint.New("app.example.test", "RRSIG", "x")}}); !errors.Is(err, provider.ErrInvalid) {
		t.Errorf("an RRSIG change: %v", err)
	}
}

// TestApplyChangesIsolatesRefusals: a change whose prerequisite fails is
// set apart with its ownership record, and named with the right error;
// the rest lands; batches hold at most --rfc2136-batch-change-size changes.
func TestApplyChangesIsolatesRefusals(t *testing.T) {
	cfg := testConfig()
	cfg.BatchChangeSize = 4
	fc := &fakeClient{rcodes: func(m *dns.Msg) int {
		for _, rr := range m.Ns {
			if strings.HasPrefix(rr.Header().Name, "stale.") {
				return dns.RcodeNXRrset
			}
		}
		return dns.RcodeSuccess
	}}
	p, err := New(cfg, Options{Client: fc})
	if err != nil {
		t.Fatal(err)
	}
	c := &plan.Changes{}
	for _, n := range []string{"a", "b", "c", "stale", "d"} {
		c.Create = append(c.Create, endpoint.New(n+".example.test", "A", "192.0.2.1"),
			endpoint.New("a-"+n+".example.test", "TXT", `"heritage=external-dns"`).WithLabel(endpoint.OwnedRecordLabel, n+".example.test"))
	}
	c.Create = append(c.Create, endpoint.New("x.example.org", "A", "192.0.2.1"))
	err = p.ApplyChanges(context.Background(), c)
	re, ok := provider.AsRefused(err)
	if !ok {
		t.Fatalf("err = %v, want refusals", err)
	}
	var refusedNames []string
	for _, r := range re.Refused {
		refusedNames = append(refusedNames, r.Endpoint.DNSName)
	}
	slices.Sort(refusedNames)
	if !slices.Equal(refusedNames, []string{"stale.example.test", "x.example.org"}) || re.Applied != 8 {
		t.Errorf("refused %v, applied %d", refusedNames, re.Applied)
	}
	if !errors.Is(err, provider.ErrMismatch) || !errors.Is(err, provider.ErrNoZone) {
		t.Errorf("err %v does not name its causes", err)
	}
	for _, m := range fc.sent {
		if len(m.Ns) > 4 {
			t.Errorf("a message of %d changes", len(m.Ns))
		}
	}
}

func TestApplyChangesReportsAnOutage(t *testing.T) {
	down := errors.New("connection refused")
	fc := &fakeClient{err: down}
	p, _ := New(testConfig(), Options{Client: fc})
	c := &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("a.example.test", "A", "192.0.2.1"), endpoint.New("b.example.test", "A", "192.0.2.1")}}
	err := p.ApplyChanges(context.Background(), c)
	if _, ok := provider.AsRefused(err); ok || !errors.Is(err, down) {
		t.Fatalf("err = %v, want the outage and no refusals", err)
	}
	if len(fc.sent) != 1 {
		t.Errorf("%d messages sent to a server that is down, want 1", len(fc.sent))
	}
}

func TestRecordsSkipsWhatIsNotOurs(t *testing.T) {
	var rrs []dns.RR
	for _, s := range []string{
		"example.test. 300 IN SOA ns1.example.test. h.example.test. 1 3600 600 86400 60",
		"example.test. 300 IN NS ns1.example.test.",
		"example.test. 300 IN DNSKEY 257 3 13 AAAA",
		"app.example.test. 300 IN A 192.0.2.1",
		"app.example.test. 300 IN RRSIG A 13 3 300 20300101000000 20200101000000 1 example.test. AAAA",
		"deleg.example.test. 300 IN NS ns.elsewhere.net.",
		"x.sub.example.test. 300 IN A 192.0.2.9", // sub.example.test is a zone of its own
		"example.test. 300 IN SOA ns1.example.test. h.example.test. 1 3600 600 86400 60",
	} {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		rrs = append(rrs, rr)
	}
	p, _ := New(testConfig(), Options{Client: &fakeClient{rrs: rrs}})
	eps, err := p.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range eps {
		got = append(got, e.String())
	}
	want := []string{"x.sub.example.test 300 IN A 192.0.2.9", "app.example.test 300 IN A 192.0.2.1", "deleg.example.test 300 IN NS ns.elsewhere.net"}
	if !slices.Equal(got, want) {
		t.Errorf("Records = %q, want %q", got, want)
	}
}

func TestAdjustEndpoints(t *testing.T) {
	cfg := testConfig()
	cfg.MinTTL = 120e9
	p, _ := New(cfg, Options{Client: &fakeClient{}})
	in := []*endpoint.Endpoint{
		endpoint.New("t.example.test", "TXT", "v=spf1 -all"),
		endpoint.New("low.example.test", "A", "192.0.2.1").WithTTL(30),
		endpoint.New("w.example.test", "A", "192.0.2.1").WithSetIdentifier("eu"),
		endpoint.New("bad.example.test", "A", "nope"),
		endpoint.New("x.example.org", "A", "192.0.2.1"),
	}
	out, _ := p.AdjustEndpoints(in)
	if out[0].Targets[0] != `"v=spf1 -all"` || in[0].Targets[0] != "v=spf1 -all" {
		t.Errorf("TXT: %v (input changed: %v)", out[0].Targets, in[0].Targets)
	}
	if out[1].RecordTTL != 120 || out[1].Held() {
		t.Errorf("min TTL: %v", out[1])
	}
	for _, e := range out[2:] {
		if !e.Held() {
			t.Errorf("%s is not held", e)
		}
	}
}

func TestValidate(t *testing.T) {
	for name, edit := range map[string]func(*Config){
		"no host":     func(c *Config) { c.Host = "" },
		"no zone":     func(c *Config) { c.Zones = nil },
		"no key":      func(c *Config) { c.TSIGKeyName = "" },
		"bad base64":  func(c *Config) { c.TSIGSecret = "not base64!" },
		"md5":         func(c *Config) { c.TSIGSecretAlg = "hmac-md5" },
		"both secret": func(c *Config) { c.TSIGSecretFile = "/etc/hostname" },
		"batch 0":     func(c *Config) { c.BatchChangeSize = 0 },
	} {
		c := testConfig()
		edit(&c)
		err := c.Validate()
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "c2VjcmV0") {
			t.Errorf("%s: the error shows the secret: %v", name, err)
		}
	}
	c := testConfig()
	c.TSIGKeyName, c.TSIGSecret, c.Insecure = "", "", true
	if err := c.Validate(); err != nil {
		t.Errorf("insecure: %v", err)
	}
}
