package dnsserver

import (
	"slices"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// TestTransferRoundTrip: what a cluster transfers out turns back into the
// same endpoints at its peer, routing included, for every record type the
// store takes.
func TestTransferRoundTrip(t *testing.T) {
	in := []*endpoint.Endpoint{
		ep("app.example.com", "A", "192.0.2.2").WithSetIdentifier("rke2 east/1").WithProviderSpecific("aws/weight", "80").
			WithProviderSpecific("gslb/health-check", "http").WithProviderSpecific("gslb/health-check-path", "/healthz?x=a&y=é"),
		ep("app.example.com", "A", "192.0.2.3").WithSetIdentifier("k3s").WithProviderSpecific("aws/weight", "20"),
		ep("www.example.com", "CNAME", "app.example.com").WithTTL(60),
		ep("txt.example.com", "TXT", `"heritage=external-dns,external-dns/owner=a"`),
		ep("mail.example.com", "MX", "10 mx1.example.com"),
		ep("_sip._tcp.example.com", "SRV", "1 2 5060 sip.example.com"),
		ep("v6.example.com", "AAAA", "2001:db8::1", "2001:db8::2"),
	}
	a := newAuthority(t, []string{"example.com"})
	if err := a.Apply(t.Context(), &plan.Changes{Create: in}); err != nil {
		t.Fatal(err)
	}
	rrs, ok := a.ownTransfer("example.com.")
	if !ok {
		t.Fatal("no transfer")
	}
	if !slices.ContainsFunc(rrs, func(rr dns.RR) bool {
		return rr.Header().Rrtype == dns.TypeNS && rr.Header().Name == "example.com."
	}) {
		t.Error("the transfer has no apex NS: BIND and Knot refuse such a zone")
	}
	out, err := EndpointsFromTransfer("example.com", rrs)
	if err != nil {
		t.Fatal(err)
	}
	// Back into a second authority as a peer: it must answer the same.
	b := newAuthority(t, []string{"example.com"})
	if _, err := b.SetPeer("a", "example.com", out); err != nil {
		t.Fatal(err)
	}
	render := func(eps []*endpoint.Endpoint) []string {
		var s []string
		for _, e := range eps {
			tg := slices.Clone([]string(e.Targets))
			slices.Sort(tg)
			s = append(s, e.DNSName+"|"+e.RecordType+"|"+e.SetIdentifier+"|"+fmtList(tg)+"|"+fmtPS(e.ProviderSpecific))
		}
		slices.Sort(s)
		return s
	}
	want, got := render(a.AnsweredSets("app.example.com")), render(b.AnsweredSets("app.example.com"))
	if !slices.Equal(want, got) || len(got) != 2 {
		t.Errorf("routed sets\n got  %v\n want %v", got, want)
	}
	for _, q := range []struct {
		name string
		t    uint16
	}{{"www.example.com.", dns.TypeCNAME}, {"txt.example.com.", dns.TypeTXT}, {"mail.example.com.", dns.TypeMX},
		{"_sip._tcp.example.com.", dns.TypeSRV}, {"v6.example.com.", dns.TypeAAAA}} {
		ha, hb := NewHandler(a, Config{}), NewHandler(b, Config{})
		ra, rb := ask(ha, q.name, q.t), ask(hb, q.name, q.t)
		if len(ra.Answer) == 0 || !slices.Equal(section(ra.Answer), section(rb.Answer)) {
			t.Errorf("%s: own %v, peer's copy %v", q.name, ra.Answer, rb.Answer)
		}
	}
}

func fmtList(s []string) string {
	out := ""
	for _, x := range s {
		out += x + ","
	}
	return out
}

func fmtPS(ps endpoint.ProviderSpecific) string {
	out := ""
	for _, p := range ps {
		out += p.Name + "=" + p.Value + ";"
	}
	return out
}

// FuzzEndpointsFromTransfer: a peer's transfer never panics the parser,
// and whatever parses can be offered to an authority without a panic.
func FuzzEndpointsFromTransfer(f *testing.F) {
	f.Add("_gslb.app.example.com. 60 IN TXT \"v=exodns-gslb1\" \"type=A\" \"set=a\" \"target=192.0.2.1\" \"p=aws/weight=1\"")
	f.Add("app.example.com. 60 IN A 192.0.2.1")
	f.Add("_gslb.x.example.com. 60 IN TXT \"v=exodns-gslb1\" \"type=\" \"set=%zz\"")
	f.Fuzz(func(t *testing.T, line string) {
		rr, err := dns.NewRR(line)
		if err != nil || rr == nil {
			return
		}
		eps, err := EndpointsFromTransfer("example.com", []dns.RR{rr})
		if err != nil {
			return
		}
		a := newAuthority(t, []string{"example.com"})
		_, _ = a.SetPeer("p", "example.com", eps)
	})
}
