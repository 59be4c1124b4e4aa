//go:build integration

package dnsdiff

import (
	"fmt"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// zones are served by both servers. exodns gets them as endpoints, the way
// the controller writes them; BIND gets exodns's own AXFR of them as a zone
// file, so both hold the same data, synthesized SOA and NS included.
var zones = []string{"example.com", "example.org"}

func ep(name, typ string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, typ, targets...)
}

// records is every kind of data the question set needs.
func records() []*endpoint.Endpoint {
	long := strings.Repeat("x", 300)
	out := []*endpoint.Endpoint{
		ep("example.com", "A", "192.0.2.1"),
		ep("example.com", "AAAA", "2001:db8::1"),
		ep("example.com", "MX", "10 mail.example.com"),
		ep("example.com", "TXT", "v=spf1 -all"),
		ep("ns1.example.com", "A", "192.0.2.2"),
		ep("www.example.com", "A", "192.0.2.10", "192.0.2.11", "192.0.2.12"),
		ep("www.example.com", "AAAA", "2001:db8::10"),
		ep("mail.example.com", "A", "192.0.2.25"),
		ep("mail.example.com", "AAAA", "2001:db8::25"),
		ep("mail2.example.com", "A", "192.0.2.26"),
		ep("mx.example.com", "MX", "10 mail.example.com", "20 mail2.example.com"),
		ep("_sip._tcp.example.com", "SRV", "10 20 5060 sip.example.com"),
		ep("sip.example.com", "A", "192.0.2.30"),
		ep("txt.example.com", "TXT", long),
		ep("multitxt.example.com", "TXT", "one", "two"),
		ep("caa.example.com", "CAA", `0 issue "letsencrypt.org"`),
		ep("alias.example.com", "CNAME", "www.example.com"),
		ep("chain1.example.com", "CNAME", "chain2.example.com"),
		ep("chain2.example.com", "CNAME", "www.example.com"),
		ep("dangling.example.com", "CNAME", "nothere.example.com"),
		ep("external.example.com", "CNAME", "www.example.net"),
		ep("cross.example.com", "CNAME", "www.example.org"),
		ep("loop1.example.com", "CNAME", "loop2.example.com"),
		ep("loop2.example.com", "CNAME", "loop1.example.com"),
		ep("*.wild.example.com", "A", "192.0.2.20"),
		ep("*.wild.example.com", "TXT", "wild"),
		ep("sub.wild.example.com", "A", "192.0.2.21"),
		ep("*.cn.example.com", "CNAME", "www.example.com"),
		ep("a.b.c.example.com", "A", "192.0.2.40"),
		ep("deleg.example.com", "NS", "ns.deleg.example.com"),
		ep("ns.deleg.example.com", "A", "192.0.2.53"),
		ep("out.example.com", "NS", "ns.other.net"),
		ep("todeleg.example.com", "CNAME", "x.sub.example.com"),
		ep("www.example.org", "A", "198.51.100.1").WithTTL(30),
		ep("ns1.example.org", "A", "198.51.100.2"), // BIND refuses a zone whose in-zone NS has no address
	}
	// A delegation to nine in-zone servers (its glue does not fit 512
	// bytes), and an MX to nine hosts (its addresses do not either).
	var ns, mx []string
	for i := range 9 {
		n := fmt.Sprintf("ns%d.sub.example.com", i)
		ns = append(ns, n)
		out = append(out, ep(n, "A", fmt.Sprintf("198.51.100.%d", 10+i)), ep(n, "AAAA", fmt.Sprintf("2001:db8:5::%d", 10+i)))
		h := fmt.Sprintf("mail-server-number-%d.example.com", i)
		mx = append(mx, fmt.Sprintf("%d %s", 10*i, h))
		out = append(out, ep(h, "A", fmt.Sprintf("192.0.2.%d", 100+i)), ep(h, "AAAA", fmt.Sprintf("2001:db8::%d", 100+i)))
	}
	var big []string
	for i := range 60 {
		big = append(big, fmt.Sprintf("10.0.0.%d", i+1))
	}
	return append(out, ep("sub.example.com", "NS", ns...), ep("bigmx.example.com", "MX", mx...), ep("big.example.com", "A", big...))
}

// names is the question set's names: every owner, and names that exercise
// NXDOMAIN, wildcards, empty non-terminals, delegations and case.
func names() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, e := range records() {
		add(e.DNSName + ".")
	}
	for _, n := range []string{
		"example.com.", "example.org.",
		"nothere.example.com.", "x.www.example.com.", // NXDOMAIN, below a leaf
		"x.wild.example.com.", "y.x.wild.example.com.", "X.Wild.Example.COM.", "q.sub.wild.example.com.", // wildcards
		"foo.cn.example.com.",                // wildcard CNAME
		"b.c.example.com.", "c.example.com.", // empty non-terminals
		"x.deleg.example.com.", "www.sub.example.com.", "x.out.example.com.", // below cuts
		"WWW.EXAMPLE.COM.", "wWw.ExAmPlE.cOm.", "MX.example.com.", // case
		"nothere.example.org.", "www.example.net.", // NXDOMAIN in the other zone, not ours
	} {
		add(n)
	}
	return out
}
