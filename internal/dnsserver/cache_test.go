package dnsserver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
)

// bigFixture has answers that fit 1232 bytes but not 512: an MX whose
// additional addresses overflow, and a delegation to nine in-zone servers
// whose glue overflows.
func bigFixture() []*endpoint.Endpoint {
	var mx, ns []string
	var out []*endpoint.Endpoint
	for i := range 9 {
		host := fmt.Sprintf("mail-server-number-%d.example.com", i)
		mx = append(mx, fmt.Sprintf("%d %s", 10*i, host))
		out = append(out, ep(host, "A", fmt.Sprintf("192.0.2.%d", 100+i)), ep(host, "AAAA", fmt.Sprintf("2001:db8::%d", 100+i)))
		nsHost := fmt.Sprintf("ns%d.sub.example.com", i)
		ns = append(ns, nsHost)
		out = append(out, ep(nsHost, "A", fmt.Sprintf("198.51.100.%d", 10+i)), ep(nsHost, "AAAA", fmt.Sprintf("2001:db8:5::%d", 10+i)))
	}
	return append(out, ep("mx.example.com", "MX", mx...), ep("sub.example.com", "NS", ns...))
}

// TestAnswerNeverDependsOnEarlierClient asks over real UDP, in order, with
// EDNS buffers of 1232, 512 and 1232 bytes. The 512-byte client gets a cut
// answer (MX: additional records dropped, no TC; referral: glue dropped,
// so TC, RFC 9471); the second 1232-byte client must get exactly what the
// first did, not the cut answer cached for the 512-byte one.
func TestAnswerNeverDependsOnEarlierClient(t *testing.T) {
	a := newAuthority(t, []string{"example.com"}, bigFixture()...)
	s, err := New(a, Config{Listen: "127.0.0.1:0", UDPReaders: 1, RRsetOrder: OrderFixed}, nil)
	if err != nil {
		t.Fatal(err)
	}
	startAndStop(t, s)
	for _, tc := range []struct {
		qname      string
		qtype      uint16
		smallTC    bool
		fullExtras int
	}{
		{"mx.example.com.", dns.TypeMX, false, 18},
		{"www.sub.example.com.", dns.TypeA, true, 18},
		{"sub.example.com.", dns.TypeNS, true, 18},
	} {
		t.Run(tc.qname+dns.TypeToString[tc.qtype], func(t *testing.T) {
			var got []*dns.Msg
			for _, size := range []uint16{1232, 512, 1232} {
				q := query(tc.qname, tc.qtype)
				q.SetEdns0(size, false)
				c := &dns.Client{Net: "udp", Timeout: 2 * time.Second, UDPSize: 4096}
				r, _, err := c.Exchange(q, s.Addr())
				if err != nil {
					t.Fatal(err)
				}
				r.Id = 0
				got = append(got, r)
			}
			full, small, again := got[0], got[1], got[2]
			if full.Truncated || len(full.Extra)-1 != tc.fullExtras {
				t.Fatalf("1232-byte answer: tc=%v, %d additional records, want %d:\n%v", full.Truncated, len(full.Extra)-1, tc.fullExtras, full)
			}
			if small.Truncated != tc.smallTC || len(small.Extra)-1 >= tc.fullExtras {
				t.Errorf("512-byte answer: tc=%v (want %v), %d additional records:\n%v", small.Truncated, tc.smallTC, len(small.Extra)-1, small)
			}
			if full.String() != again.String() {
				t.Errorf("the same question with the same buffer got another answer after a 512-byte client:\nfirst:\n%v\nthen:\n%v", full, again)
			}
		})
	}
}

func startAndStop(t *testing.T, s *Server) {
	t.Helper()
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(t.Context()); err != nil && !strings.Contains(err.Error(), "context canceled") {
			t.Error(err)
		}
	})
}
