package dnsserver

import (
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestNotify sends NOTIFY over UDP: accepted (NOERROR, AA, question echoed,
// hook called with the zone and serial) for a zone we serve from an
// allowed peer; REFUSED for another zone, or from a peer not allowed.
func TestNotify(t *testing.T) {
	got := make(chan Notify, 4)
	hook := func(n Notify) { got <- n }
	notify := func(zone string, serial uint32) *dns.Msg {
		m := new(dns.Msg)
		m.SetNotify(zone)
		if serial != 0 {
			soa, _ := dns.NewRR(zone + " 300 IN SOA ns1." + zone + " hostmaster." + zone + " 42 3600 600 86400 60")
			soa.(*dns.SOA).Serial = serial
			m.Answer = []dns.RR{soa}
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		allow  string
		msg    *dns.Msg
		rcode  int
		aa     bool
		hooked *Notify
		peerIP string
	}{
		{name: "allowed peer, our zone, with serial", allow: "127.0.0.0/8", msg: notify("Example.COM.", 42),
			rcode: dns.RcodeSuccess, aa: true, hooked: &Notify{Zone: "example.com.", Serial: 42, HasSerial: true}},
		{name: "allowed peer, no serial", allow: "127.0.0.1/32", msg: notify("example.org.", 0),
			rcode: dns.RcodeSuccess, aa: true, hooked: &Notify{Zone: "example.org."}},
		{name: "allowed peer, a zone we do not serve", allow: "127.0.0.0/8", msg: notify("example.net.", 1), rcode: dns.RcodeRefused},
		{name: "allowed peer, a name below our zone", allow: "127.0.0.0/8", msg: notify("www.example.com.", 1), rcode: dns.RcodeRefused},
		{name: "peer not allowed", allow: "10.0.0.0/8", msg: notify("example.com.", 1), rcode: dns.RcodeRefused},
		{name: "nobody allowed", msg: notify("example.com.", 1), rcode: dns.RcodeRefused},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{OnNotify: hook}
			if tc.allow != "" {
				cfg.NotifyAllow = []netip.Prefix{netip.MustParsePrefix(tc.allow)}
			}
			s, _ := startServer(t, cfg, nil)
			c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
			r, _, err := c.Exchange(tc.msg, s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			want := new(dns.Msg)
			want.SetRcode(tc.msg, tc.rcode)
			want.Authoritative = tc.aa
			if r.String() != want.String() {
				t.Errorf("response:\n%v\nwant:\n%v", r, want)
			}
			select {
			case n := <-got:
				if tc.hooked == nil {
					t.Fatalf("hook called for a refused NOTIFY: %+v", n)
				}
				tc.hooked.From = netip.MustParseAddr("127.0.0.1")
				if n != *tc.hooked {
					t.Errorf("hook got %+v, want %+v", n, *tc.hooked)
				}
			default:
				// The hook runs before the answer is sent, so it has run by now.
				if tc.hooked != nil {
					t.Error("hook not called")
				}
			}
		})
	}
}
