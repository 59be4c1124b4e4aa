package dnsserver

import (
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
)

var long = strings.Repeat("a", 300)

func fixture() []*endpoint.Endpoint {
	return []*endpoint.Endpoint{
		ep("example.com", "A", "192.0.2.1"),
		ep("ns1.example.com", "A", "192.0.2.2"),
		ep("www.example.com", "A", "192.0.2.10", "192.0.2.11"),
		ep("www.example.com", "AAAA", "2001:db8::10"),
		ep("a.b.c.example.com", "A", "192.0.2.12"),
		ep("*.wild.example.com", "A", "192.0.2.20"),
		ep("*.wild.example.com", "TXT", "wild"),
		ep("sub.wild.example.com", "A", "192.0.2.21"),
		ep("alias.example.com", "CNAME", "www.example.com"),
		ep("chain1.example.com", "CNAME", "chain2.example.com"),
		ep("chain2.example.com", "CNAME", "www.example.com"),
		ep("loop1.example.com", "CNAME", "loop2.example.com"),
		ep("loop2.example.com", "CNAME", "loop1.example.com"),
		ep("dangling.example.com", "CNAME", "nothere.example.com"),
		ep("external.example.com", "CNAME", "www.example.net"),
		ep("cross.example.com", "CNAME", "www.example.org"),
		ep("*.cn.example.com", "CNAME", "www.example.com").WithTTL(60),
		ep("txt.example.com", "TXT", `"`+long+`"`),
		ep("mx.example.com", "MX", "10 mail.example.com"),
		ep("mail.example.com", "A", "192.0.2.25"),
		ep("_sip._tcp.example.com", "SRV", "10 20 5060 sip.example.com"),
		ep("2.2.0.192.in-addr.example.com", "PTR", "ns1.example.com"),
		ep("caa.example.com", "CAA", `0 issue "letsencrypt.org"`),
		ep("deleg.example.com", "NS", "ns.deleg.example.com"),
		ep("ns.deleg.example.com", "A", "192.0.2.53"),
		ep("todeleg.example.com", "CNAME", "x.deleg.example.com"),
		ep("multi.example.com", "A", "192.0.2.30").WithSetIdentifier("eu").WithProviderSpecific("aws/weight", "50"),
		ep("multi.example.com", "A", "192.0.2.31").WithSetIdentifier("us").WithProviderSpecific("aws/weight", "50"),
		ep("big.example.com", "A", bigTargets(60)...),
		ep("www.example.org", "A", "198.51.100.1").WithTTL(30),
	}
}

func bigTargets(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "10.0.0." + strconv.Itoa(i+1)
	}
	return out
}

const (
	soaCom = "example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. 2 3600 600 86400 60"
	soaOrg = "example.org. 60 IN SOA ns1.example.org. hostmaster.example.org. 2 3600 600 86400 60"
)

type answerCase struct {
	name  string
	qname string
	qtype uint16
	edit  func(*dns.Msg) // changes the query before it is sent
	tcp   bool

	rcode              int
	aa, tc             bool
	answer, ns, extra  []string
	noReply            bool
	wantOpt, wantDO    bool
	wantOptSize        uint16
	maxWire            int
	answerCountAtLeast int
}

func TestAnswers(t *testing.T) {
	a := newAuthority(t, []string{"example.com", "example.org"}, fixture()...)
	h := NewHandler(a, Config{RRsetOrder: OrderFixed})
	for _, tc := range answerCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			q := query(tc.qname, tc.qtype)
			if tc.edit != nil {
				tc.edit(q)
			}
			w := &recorder{tcp: tc.tcp, t: t}
			h.ServeDNS(w, q)
			if tc.noReply {
				if len(w.msgs) != 0 {
					t.Fatalf("want no reply, got %v", w.msgs[0])
				}
				return
			}
			if len(w.msgs) != 1 {
				t.Fatalf("want 1 reply, got %d", len(w.msgs))
			}
			m := w.msgs[0]
			if m.Rcode != tc.rcode || m.Authoritative != tc.aa || m.Truncated != tc.tc || m.RecursionAvailable || m.Id != q.Id {
				t.Errorf("rcode=%s aa=%v tc=%v ra=%v id=%v, want rcode=%s aa=%v tc=%v",
					dns.RcodeToString[m.Rcode], m.Authoritative, m.Truncated, m.RecursionAvailable, m.Id == q.Id,
					dns.RcodeToString[tc.rcode], tc.aa, tc.tc)
			}
			if len(q.Question) == 1 && (len(m.Question) != 1 || m.Question[0] != q.Question[0]) {
				t.Errorf("question %v, want %v echoed as sent", m.Question, q.Question)
			}
			if tc.answerCountAtLeast > 0 {
				if len(m.Answer) < tc.answerCountAtLeast {
					t.Errorf("answer has %d records, want >= %d", len(m.Answer), tc.answerCountAtLeast)
				}
			} else {
				sameSection(t, "answer", m.Answer, tc.answer)
			}
			sameSection(t, "authority", m.Ns, tc.ns)
			sameSection(t, "additional", m.Extra, tc.extra)
			opt := m.IsEdns0()
			if (opt != nil) != tc.wantOpt {
				t.Errorf("OPT present = %v, want %v", opt != nil, tc.wantOpt)
			}
			if opt != nil && (opt.Version() != 0 || opt.Do() != tc.wantDO || (tc.wantOptSize != 0 && opt.UDPSize() != tc.wantOptSize)) {
				t.Errorf("OPT version=%d do=%v size=%d", opt.Version(), opt.Do(), opt.UDPSize())
			}
			if tc.maxWire > 0 && len(w.wire[0]) > tc.maxWire {
				t.Errorf("response is %d bytes, limit %d", len(w.wire[0]), tc.maxWire)
			}
		})
	}
}

func answerCases(t *testing.T) []answerCase {
	wwwA := rrs(t, "www.example.com. 300 IN A 192.0.2.10", "www.example.com. 300 IN A 192.0.2.11")
	com := rrs(t, soaCom)
	return []answerCase{
		{name: "A", qname: "www.example.com.", qtype: dns.TypeA, aa: true, answer: wwwA},
		{name: "AAAA", qname: "www.example.com.", qtype: dns.TypeAAAA, aa: true,
			answer: rrs(t, "www.example.com. 300 IN AAAA 2001:db8::10")},
		{name: "case preserved", qname: "WwW.ExAmple.COM.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "WwW.ExAmple.COM. 300 IN A 192.0.2.10", "WwW.ExAmple.COM. 300 IN A 192.0.2.11")},
		{name: "apex A", qname: "example.com.", qtype: dns.TypeA, aa: true, answer: rrs(t, "example.com. 300 IN A 192.0.2.1")},
		{name: "apex SOA", qname: "example.com.", qtype: dns.TypeSOA, aa: true,
			answer: rrs(t, strings.Replace(soaCom, " 60 ", " 300 ", 1))},
		{name: "apex NS with glue", qname: "example.com.", qtype: dns.TypeNS, aa: true,
			answer: rrs(t, "example.com. 300 IN NS ns1.example.com."), extra: rrs(t, "ns1.example.com. 300 IN A 192.0.2.2")},
		{name: "NXDOMAIN", qname: "nothere.example.com.", qtype: dns.TypeA, aa: true, rcode: dns.RcodeNameError, ns: com},
		{name: "NODATA", qname: "www.example.com.", qtype: dns.TypeTXT, aa: true, ns: com},
		{name: "empty non-terminal", qname: "b.c.example.com.", qtype: dns.TypeA, aa: true, ns: com},
		{name: "empty non-terminal, higher", qname: "c.example.com.", qtype: dns.TypeA, aa: true, ns: com},
		{name: "below a leaf", qname: "x.www.example.com.", qtype: dns.TypeA, aa: true, rcode: dns.RcodeNameError, ns: com},
		{name: "wildcard", qname: "x.wild.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "x.wild.example.com. 300 IN A 192.0.2.20")},
		{name: "wildcard keeps case", qname: "X.Wild.example.com.", qtype: dns.TypeTXT, aa: true,
			answer: rrs(t, `X.Wild.example.com. 300 IN TXT "wild"`)},
		{name: "wildcard, two labels deep", qname: "y.x.wild.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "y.x.wild.example.com. 300 IN A 192.0.2.20")},
		{name: "wildcard NODATA", qname: "x.wild.example.com.", qtype: dns.TypeAAAA, aa: true, ns: com},
		{name: "existing name beats wildcard", qname: "sub.wild.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "sub.wild.example.com. 300 IN A 192.0.2.21")},
		{name: "existing name, no wildcard NODATA fill", qname: "sub.wild.example.com.", qtype: dns.TypeTXT, aa: true, ns: com},
		{name: "no wildcard below an existing name", qname: "q.sub.wild.example.com.", qtype: dns.TypeA, aa: true,
			rcode: dns.RcodeNameError, ns: com},
		{name: "the wildcard name itself", qname: "*.wild.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "*.wild.example.com. 300 IN A 192.0.2.20")},
		{name: "CNAME followed", qname: "alias.example.com.", qtype: dns.TypeA, aa: true,
			answer: append(rrs(t, "alias.example.com. 300 IN CNAME www.example.com."), wwwA...)},
		{name: "CNAME query returns the CNAME only", qname: "alias.example.com.", qtype: dns.TypeCNAME, aa: true,
			answer: rrs(t, "alias.example.com. 300 IN CNAME www.example.com.")},
		{name: "CNAME chain", qname: "chain1.example.com.", qtype: dns.TypeA, aa: true,
			answer: append(rrs(t, "chain1.example.com. 300 IN CNAME chain2.example.com.",
				"chain2.example.com. 300 IN CNAME www.example.com."), wwwA...)},
		{name: "CNAME chain to NODATA", qname: "alias.example.com.", qtype: dns.TypeMX, aa: true,
			answer: rrs(t, "alias.example.com. 300 IN CNAME www.example.com."), ns: com},
		{name: "CNAME loop", qname: "loop1.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "loop1.example.com. 300 IN CNAME loop2.example.com.", "loop2.example.com. 300 IN CNAME loop1.example.com.")},
		{name: "CNAME to a missing name", qname: "dangling.example.com.", qtype: dns.TypeA, aa: true, rcode: dns.RcodeNameError,
			answer: rrs(t, "dangling.example.com. 300 IN CNAME nothere.example.com."), ns: com},
		{name: "CNAME out of our zones", qname: "external.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "external.example.com. 300 IN CNAME www.example.net.")},
		{name: "CNAME into another zone we serve", qname: "cross.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "cross.example.com. 300 IN CNAME www.example.org.", "www.example.org. 30 IN A 198.51.100.1")},
		{name: "wildcard CNAME", qname: "Foo.cn.example.com.", qtype: dns.TypeA, aa: true,
			answer: append(rrs(t, "Foo.cn.example.com. 60 IN CNAME www.example.com."), wwwA...)},
		{name: "ANY is one RRset", qname: "www.example.com.", qtype: dns.TypeANY, aa: true, answer: wwwA},
		{name: "ANY at the apex", qname: "example.com.", qtype: dns.TypeANY, aa: true, answer: rrs(t, "example.com. 300 IN A 192.0.2.1")},
		{name: "ANY on a CNAME", qname: "alias.example.com.", qtype: dns.TypeANY, aa: true,
			answer: rrs(t, "alias.example.com. 300 IN CNAME www.example.com.")},
		{name: "ANY NXDOMAIN", qname: "nothere.example.com.", qtype: dns.TypeANY, aa: true, rcode: dns.RcodeNameError, ns: com},
		{name: "long TXT split", qname: "txt.example.com.", qtype: dns.TypeTXT, aa: true,
			answer: rrs(t, `txt.example.com. 300 IN TXT "`+long[:255]+`" "`+long[255:]+`"`)},
		{name: "MX with address", qname: "mx.example.com.", qtype: dns.TypeMX, aa: true,
			answer: rrs(t, "mx.example.com. 300 IN MX 10 mail.example.com."), extra: rrs(t, "mail.example.com. 300 IN A 192.0.2.25")},
		{name: "SRV", qname: "_sip._tcp.example.com.", qtype: dns.TypeSRV, aa: true,
			answer: rrs(t, "_sip._tcp.example.com. 300 IN SRV 10 20 5060 sip.example.com.")},
		{name: "PTR", qname: "2.2.0.192.in-addr.example.com.", qtype: dns.TypePTR, aa: true,
			answer: rrs(t, "2.2.0.192.in-addr.example.com. 300 IN PTR ns1.example.com.")},
		{name: "CAA", qname: "caa.example.com.", qtype: dns.TypeCAA, aa: true,
			answer: rrs(t, `caa.example.com. 300 IN CAA 0 issue "letsencrypt.org"`)},
		{name: "referral at the cut", qname: "deleg.example.com.", qtype: dns.TypeA,
			ns: rrs(t, "deleg.example.com. 300 IN NS ns.deleg.example.com."), extra: rrs(t, "ns.deleg.example.com. 300 IN A 192.0.2.53")},
		{name: "referral for NS at the cut", qname: "deleg.example.com.", qtype: dns.TypeNS,
			ns: rrs(t, "deleg.example.com. 300 IN NS ns.deleg.example.com."), extra: rrs(t, "ns.deleg.example.com. 300 IN A 192.0.2.53")},
		{name: "referral below the cut, glue occluded", qname: "ns.deleg.example.com.", qtype: dns.TypeA,
			ns: rrs(t, "deleg.example.com. 300 IN NS ns.deleg.example.com."), extra: rrs(t, "ns.deleg.example.com. 300 IN A 192.0.2.53")},
		{name: "CNAME into a delegation continues as a referral", qname: "todeleg.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "todeleg.example.com. 300 IN CNAME x.deleg.example.com."),
			ns:     rrs(t, "deleg.example.com. 300 IN NS ns.deleg.example.com."), extra: rrs(t, "ns.deleg.example.com. 300 IN A 192.0.2.53")},
		{name: "DS at the cut is the parent's", qname: "deleg.example.com.", qtype: dns.TypeDS, aa: true, ns: com},
		{name: "set identifiers served as a union", qname: "multi.example.com.", qtype: dns.TypeA, aa: true,
			answer: rrs(t, "multi.example.com. 300 IN A 192.0.2.30", "multi.example.com. 300 IN A 192.0.2.31")},
		{name: "outside our zones", qname: "www.example.net.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
		{name: "suffix but not a subdomain", qname: "myexample.com.", qtype: dns.TypeA, rcode: dns.RcodeRefused},
		{name: "escaped dot is not a label boundary", qname: `a\.example.com.`, qtype: dns.TypeA, rcode: dns.RcodeRefused},
		{name: "class CHAOS", qname: "version.bind.", qtype: dns.TypeTXT, rcode: dns.RcodeRefused,
			edit: func(m *dns.Msg) { m.Question[0].Qclass = dns.ClassCHAOS }},
		{name: "RD echoed, RA never", qname: "www.example.com.", qtype: dns.TypeA, aa: true, answer: wwwA,
			edit: func(m *dns.Msg) { m.RecursionDesired = true }},
		{name: "EDNS echoed with our size and DO", qname: "www.example.com.", qtype: dns.TypeA, aa: true, answer: wwwA,
			edit: func(m *dns.Msg) { m.SetEdns0(4096, true) }, wantOpt: true, wantDO: true, wantOptSize: DefaultEDNSBufferSize},
		{name: "EDNS version 1", qname: "www.example.com.", qtype: dns.TypeA, rcode: dns.RcodeBadVers, wantOpt: true,
			edit: func(m *dns.Msg) { m.SetEdns0(4096, false); m.IsEdns0().SetVersion(1) }},
		{name: "two OPT records", qname: "www.example.com.", qtype: dns.TypeA, rcode: dns.RcodeFormatError, wantOpt: true,
			edit: func(m *dns.Msg) { m.SetEdns0(4096, false); m.Extra = append(m.Extra, m.Extra[0]) }},
		{name: "truncated without EDNS", qname: "big.example.com.", qtype: dns.TypeA, aa: true, tc: true, maxWire: 512,
			answerCountAtLeast: 1},
		{name: "EDNS buffer honoured", qname: "big.example.com.", qtype: dns.TypeA, aa: true, maxWire: 1232,
			answerCountAtLeast: 60, wantOpt: true, wantOptSize: DefaultEDNSBufferSize,
			edit: func(m *dns.Msg) { m.SetEdns0(4096, false) }},
		{name: "EDNS buffer under 512 counts as 512", qname: "big.example.com.", qtype: dns.TypeA, aa: true, tc: true,
			maxWire: 512, answerCountAtLeast: 1, wantOpt: true, edit: func(m *dns.Msg) { m.SetEdns0(100, false) }},
		{name: "TCP is not truncated", qname: "big.example.com.", qtype: dns.TypeA, aa: true, tcp: true, answerCountAtLeast: 60},
		{name: "NOTIFY from a peer not allowed", qname: "example.com.", qtype: dns.TypeSOA, rcode: dns.RcodeRefused,
			edit: func(m *dns.Msg) { m.Opcode = dns.OpcodeNotify }},
		{name: "UPDATE", qname: "example.com.", qtype: dns.TypeSOA, rcode: dns.RcodeNotImplemented,
			edit: func(m *dns.Msg) { m.Opcode = dns.OpcodeUpdate }},
		{name: "no question", qname: "example.com.", qtype: dns.TypeA, rcode: dns.RcodeFormatError,
			edit: func(m *dns.Msg) { m.Question = nil }},
		{name: "two questions", qname: "example.com.", qtype: dns.TypeA, rcode: dns.RcodeFormatError,
			edit: func(m *dns.Msg) { m.Question = append(m.Question, m.Question[0]) }},
		{name: "a response is not answered", qname: "example.com.", qtype: dns.TypeA, noReply: true,
			edit: func(m *dns.Msg) { m.Response = true }},
		{name: "qtype OPT", qname: "example.com.", qtype: dns.TypeOPT, rcode: dns.RcodeFormatError},
		{name: "qtype MAILA", qname: "example.com.", qtype: dns.TypeMAILA, rcode: dns.RcodeNotImplemented},
		{name: "AXFR over UDP", qname: "example.com.", qtype: dns.TypeAXFR, rcode: dns.RcodeRefused},
		{name: "AXFR over TCP unsigned", qname: "example.com.", qtype: dns.TypeAXFR, tcp: true, rcode: dns.RcodeRefused},
		{name: "TSIG with a key we do not have", qname: "www.example.com.", qtype: dns.TypeA, rcode: dns.RcodeNotAuth,
			edit: func(m *dns.Msg) { m.SetTsig("other.", dns.HmacSHA256, 300, 0) }},
	}
}
