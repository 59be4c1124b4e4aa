package zone

import (
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestRRsAndTargetRoundTrip(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		typ    string
		target string
		want   string // the target read back; "" means the same
	}{
		{"A", "192.0.2.1", ""},
		{"AAAA", "2001:db8::1", ""},
		{"CNAME", "lb.example.net", ""},
		{"CNAME", "LB.example.net.", "LB.example.net"},
		{"TXT", `"heritage=external-dns,external-dns/owner=default"`, ""},
		{"TXT", `v=spf1 -all`, `"v=spf1 -all"`},
		{"TXT", `"say \"hi\" \ back"`, ""},
		{"TXT", "\"tab\there\"", ""},
		{"TXT", `"` + long + `"`, ""},
		{"TXT", `""`, ""},
		{"MX", "10 mail.example.com", ""},
		{"SRV", "1 2 443 svc.example.com", ""},
		{"NS", "ns1.example.net", ""},
		{"PTR", "host.example.com", ""},
		{"CAA", `0 issue "letsencrypt.org"`, ""},
		{"NAPTR", `100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .`, ""},
	}
	for _, tt := range tests {
		e := endpoint.New("a.example.com", tt.typ, tt.target)
		rrs, err := RRs(e, 60)
		if err != nil {
			t.Errorf("%s %q: %v", tt.typ, tt.target, err)
			continue
		}
		// Through the wire and back, as a transfer reads it.
		buf := make([]byte, 2048)
		n, err := dns.PackRR(rrs[0], buf, 0, nil, false)
		if err != nil {
			t.Fatalf("%s: pack: %v", tt.typ, err)
		}
		rr, _, err := dns.UnpackRR(buf[:n], 0)
		if err != nil {
			t.Fatal(err)
		}
		want := tt.want
		if want == "" {
			want = tt.target
		}
		if got := Target(rr); got != want {
			t.Errorf("%s %q: read back %q, want %q", tt.typ, tt.target, got, want)
		}
	}
	if rrs, _ := RRs(endpoint.New("a.example.com", "TXT", `"`+long+`"`), 60); len(rrs[0].(*dns.TXT).Txt) != 2 {
		t.Errorf("300 bytes of text in %d strings, want 2", len(rrs[0].(*dns.TXT).Txt))
	}
	for _, bad := range []*endpoint.Endpoint{
		endpoint.New("a.example.com", "A", "not-an-ip"),
		endpoint.New("a.example.com", "MX", "10 mail.example.com\na.example.com. 60 IN A 192.0.2.66"),
		endpoint.New("a.example.com", "SOA", "x"),
		endpoint.New("a.example.com", "A"),
		endpoint.New("bad name.example.com", "A", "192.0.2.1"),
	} {
		if _, err := RRs(bad, 60); err == nil {
			t.Errorf("RRs(%v) accepted", bad)
		}
	}
}

func TestEndpointsGroupsByNameAndType(t *testing.T) {
	var rrs []dns.RR
	for _, s := range []string{
		"a.example.com. 300 IN A 192.0.2.1", "A.example.com. 60 IN A 192.0.2.2", "a.example.com. 300 IN TXT \"x\"",
		"a.example.com. 300 IN RRSIG A 13 3 300 20300101000000 20200101000000 1 example.com. AAAA",
	} {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		rrs = append(rrs, rr)
	}
	eps := Endpoints(rrs, func(rr dns.RR) bool { return !IsDNSSEC(rr.Header().Rrtype) })
	var got []string
	for _, e := range eps {
		got = append(got, e.String())
	}
	want := []string{"a.example.com 60 IN A 192.0.2.1,192.0.2.2", `a.example.com 300 IN TXT "x"`}
	if !slices.Equal(got, want) {
		t.Errorf("Endpoints = %q, want %q", got, want)
	}
}

func FuzzTXTRoundTrip(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "\x00\xff", `\065`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rrs, err := RRs(endpoint.New("a.example.com", "TXT", `"`+text+`"`), 60)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 70000)
		n, err := dns.PackRR(rrs[0], buf, 0, nil, false)
		if err != nil {
			if len(text) > 60000 {
				return
			}
			t.Fatalf("pack %q: %v", text, err)
		}
		rr, _, err := dns.UnpackRR(buf[:n], 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := Target(rr); got != `"`+text+`"` {
			t.Fatalf("%q read back as %q", text, got)
		}
	})
}
