package dnsserver

import (
	"encoding/binary"
	"testing"

	"github.com/miekg/dns"
)

// withOption adds an EDNS option with raw data to a query.
func withOption(code uint16, data ...byte) func(*dns.Msg) {
	return func(m *dns.Msg) {
		m.SetEdns0(1232, false)
		o := m.IsEdns0()
		o.Option = append(o.Option, &dns.EDNS0_LOCAL{Code: code, Data: data})
	}
}

// optReply is the OPT record we answer EDNS with.
func optReply(do bool) *dns.OPT {
	o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
	o.SetUDPSize(DefaultEDNSBufferSize)
	if do {
		o.SetDo()
	}
	return o
}

// TestErrorsCarryOPT sends, over UDP and TCP, queries that fail before or
// while parsing, with EDNS: each error answer must carry OPT (RFC 6891
// section 6.1.1). The whole response is compared.
func TestErrorsCarryOPT(t *testing.T) {
	s, _ := startServer(t, Config{}, nil)
	opt := func(do bool) []byte {
		b := []byte{0, 0, byte(dns.TypeOPT), 0x04, 0xd0, 0, 0, 0, 0, 0, 0} // root, OPT, 1232, no options
		if do {
			b[7] = 0x80
		}
		return b
	}
	header := func(id, qd, ar uint16) []byte {
		h := make([]byte, 12)
		binary.BigEndian.PutUint16(h, id)
		binary.BigEndian.PutUint16(h[4:], qd)
		binary.BigEndian.PutUint16(h[10:], ar)
		return h
	}
	question, _ := query("www.example.com.", dns.TypeA).Pack()
	question = question[12:]
	badECS := append(append(append(header(7, 1, 1), question...), opt(false)[:9]...), 0, 8, 0, 8, 0, 4, 0, 3, 0, 0)
	for _, tc := range []struct {
		name string
		p    []byte
		want *dns.Msg
	}{
		{"no question", append(header(1, 0, 1), opt(true)...),
			&dns.Msg{MsgHdr: dns.MsgHdr{Id: 1, Response: true, Rcode: dns.RcodeFormatError}, Extra: []dns.RR{optReply(true)}}},
		{"two questions", append(append(append(header(2, 2, 1), question...), question...), opt(false)...),
			&dns.Msg{MsgHdr: dns.MsgHdr{Id: 2, Response: true, Rcode: dns.RcodeFormatError}, Extra: []dns.RR{optReply(false)}}},
		{"client subnet of unknown family, which does not unpack", badECS,
			&dns.Msg{MsgHdr: dns.MsgHdr{Id: 7, Response: true, Rcode: dns.RcodeFormatError},
				Question: []dns.Question{{Name: "www.example.com.", Qtype: dns.TypeA, Qclass: dns.ClassINET}}, Extra: []dns.RR{optReply(false)}}},
	} {
		for _, proto := range []string{"udp", "tcp"} {
			t.Run(proto+"/"+tc.name, func(t *testing.T) {
				var got dns.Msg
				if err := got.Unpack(exchangeRaw(t, proto, s.Addr(), tc.p)); err != nil {
					t.Fatal(err)
				}
				if got.String() != tc.want.String() {
					t.Errorf("response:\n%v\nwant:\n%v", &got, tc.want)
				}
			})
		}
	}
}

// TestMalformedEDNSOptions answers FORMERR, with OPT, to options RFC 7871
// and RFC 7873 call malformed, and answers well-formed ones normally.
func TestMalformedEDNSOptions(t *testing.T) {
	a := newAuthority(t, []string{"example.com", "example.org"}, fixture()...)
	h := NewHandler(a, Config{RRsetOrder: OrderFixed})
	cookie := func(n int) func(*dns.Msg) { return withOption(dns.EDNS0COOKIE, make([]byte, n)...) }
	for _, tc := range []struct {
		name string
		edit func(*dns.Msg)
		ok   bool
	}{
		{"1-byte cookie", cookie(1), false},
		{"7-byte cookie", cookie(7), false},
		{"client cookie", cookie(8), true},
		{"12-byte cookie", cookie(12), false},
		{"client and 8-byte server cookie", cookie(16), true},
		{"client and 32-byte server cookie", cookie(40), true},
		{"41-byte cookie", cookie(41), false},
		{"subnet: 3 bytes", withOption(dns.EDNS0SUBNET, 0, 1, 24), false},
		{"subnet: IPv4 /24", withOption(dns.EDNS0SUBNET, 0, 1, 24, 0, 192, 0, 2), true},
		{"subnet: IPv6 /56", withOption(dns.EDNS0SUBNET, 0, 2, 56, 0, 0x20, 1, 0xd, 0xb8, 0, 0, 0), true},
		{"subnet: no address, family 0", withOption(dns.EDNS0SUBNET, 0, 0, 0, 0), true},
		{"subnet: family 3", withOption(dns.EDNS0SUBNET, 0, 3, 0, 0), false},
		{"subnet: /33 IPv4", withOption(dns.EDNS0SUBNET, 0, 1, 33, 0, 1, 2, 3, 4, 5), false},
		{"subnet: more address than the prefix", withOption(dns.EDNS0SUBNET, 0, 1, 16, 0, 192, 0, 2), false},
		{"subnet: bits past the prefix", withOption(dns.EDNS0SUBNET, 0, 1, 20, 0, 192, 0, 0x2f), false},
		{"subnet: scope set in a query", withOption(dns.EDNS0SUBNET, 0, 1, 24, 24, 192, 0, 2), false},
		{"unknown option", withOption(65001, 1, 2, 3), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := query("www.example.com.", dns.TypeA)
			tc.edit(q)
			w := &recorder{t: t}
			h.ServeDNS(w, q)
			m := w.last()
			want := new(dns.Msg)
			want.SetRcode(q, dns.RcodeFormatError)
			if tc.ok {
				want.SetReply(q)
				want.Authoritative = true
				want.Answer = fixtureAnswer(t, "www.example.com. 300 IN A 192.0.2.10", "www.example.com. 300 IN A 192.0.2.11")
			}
			o := optReply(false)
			if mo := m.IsEdns0(); mo != nil {
				o.Option = mo.Option // a cookie answer is checked in TestCookies
			}
			want.Extra = []dns.RR{o}
			if m.String() != want.String() {
				t.Errorf("response:\n%v\nwant:\n%v", m, want)
			}
		})
	}
}

func fixtureAnswer(t *testing.T, lines ...string) []dns.RR {
	t.Helper()
	var out []dns.RR
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rr)
	}
	return out
}

// FuzzFindOPT: the raw OPT walkers never panic, and agree with a full
// parse about the OPT record of any message that parses.
func FuzzFindOPT(f *testing.F) {
	for _, tc := range answerCases(&testing.T{}) {
		q := query(tc.qname, tc.qtype)
		if tc.edit != nil {
			tc.edit(q)
		}
		q.SetEdns0(1232, true)
		if b, err := q.Pack(); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		found, do := findOPT(p)
		rdata, ok := optRdata(p)
		_ = eachOption(rdata, func(uint16, []byte) bool { return true })
		var m dns.Msg
		if m.Unpack(p) != nil || !ok {
			return
		}
		opts := 0
		for _, rr := range m.Extra {
			if _, isOPT := rr.(*dns.OPT); isOPT {
				opts++
			}
		}
		if opts > 1 {
			return // FORMERR either way; the walkers take the first, IsEdns0 the last
		}
		o := m.IsEdns0()
		if (o != nil) != found || (o != nil && o.Do() != do) {
			t.Fatalf("findOPT = %v, %v; the message has %v", found, do, o)
		}
	})
}
