package probe

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// dnsServer serves a few names on 127.0.0.1 over UDP and TCP on one random
// port and counts the queries it gets.
type dnsServer struct {
	addr    string
	queries atomic.Int64
	tcp     atomic.Int64
}

func startDNS(t *testing.T) *dnsServer {
	t.Helper()
	s := &dnsServer{}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = pc.LocalAddr().String()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		s.queries.Add(1)
		if w.RemoteAddr().Network() == "tcp" {
			s.tcp.Add(1)
		}
		m := new(dns.Msg)
		m.SetReply(r)
		q := r.Question[0]
		switch {
		case q.Name == "v4.test." && q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, rr(t, "v4.test. 30 IN A 127.0.0.2"), rr(t, "v4.test. 10 IN A 127.0.0.3"))
		case q.Name == "v6.test." && q.Qtype == dns.TypeAAAA:
			m.Answer = append(m.Answer, rr(t, "v6.test. 30 IN AAAA ::1"))
		case q.Name == "alias.test." && q.Qtype == dns.TypeA:
			m.Answer = append(m.Answer, rr(t, "alias.test. 30 IN CNAME v4.test."), rr(t, "v4.test. 30 IN A 127.0.0.2"))
		case q.Name == "big.test." && q.Qtype == dns.TypeA:
			if w.RemoteAddr().Network() == "udp" {
				m.Truncated = true // as a server does when the answer does not fit
			} else {
				m.Answer = append(m.Answer, rr(t, "big.test. 30 IN A 127.0.0.4"))
			}
		case q.Name == "fail.test.":
			m.Rcode = dns.RcodeServerFailure
		case strings.HasSuffix(q.Name, "v4.test.") || q.Name == "v6.test." || q.Name == "empty.test.":
			// NODATA
		default:
			m.Rcode = dns.RcodeNameError
		}
		_ = w.WriteMsg(m)
	})
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: ln, Handler: h}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	t.Cleanup(func() { _ = udp.Shutdown(); _ = tcp.Shutdown() })
	return s
}

func rr(t *testing.T, s string) dns.RR {
	r, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDNSResolver(t *testing.T) {
	srv := startDNS(t)
	r, err := NewDNSResolver(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range []struct {
		host  string
		addrs []string
		ttl   int
		err   string
	}{
		{host: "v4.test", addrs: []string{"127.0.0.2", "127.0.0.3"}, ttl: 10},
		{host: "v6.test", addrs: []string{"::1"}, ttl: 30},
		{host: "alias.test", addrs: []string{"127.0.0.2"}, ttl: 30},
		{host: "big.test", addrs: []string{"127.0.0.4"}, ttl: 30},
		{host: "fail.test", err: "SERVFAIL"},
		{host: "nope.test", err: "NXDOMAIN"},
		{host: "empty.test", err: "no A or AAAA"},
	} {
		res, err := r.Resolve(ctx, c.host)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.host, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.host, err)
			continue
		}
		var got []string
		for _, a := range res.Addrs {
			got = append(got, a.String())
		}
		if !slices.Equal(got, c.addrs) || res.TTL != c.ttl {
			t.Errorf("%s: %v ttl %d, want %v ttl %d", c.host, got, res.TTL, c.addrs, c.ttl)
		}
	}
	if srv.tcp.Load() != 1 {
		t.Errorf("%d TCP queries, want 1 (the truncated answer retried)", srv.tcp.Load())
	}
	// Nothing is cached: every Resolve asks the server again.
	before := srv.queries.Load()
	for range 5 {
		if _, err := r.Resolve(ctx, "v4.test"); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.queries.Load() - before; n != 5 {
		t.Errorf("5 resolutions sent %d queries, want 5", n)
	}
}

func TestNewDNSResolver(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":       "127.0.0.1:53",
		"127.0.0.1:5353":  "127.0.0.1:5353",
		"::1":             "[::1]:53",
		"[::1]":           "[::1]:53",
		"[::1]:5353":      "[::1]:5353",
		"192.0.2.53:1053": "192.0.2.53:1053",
	} {
		r, err := NewDNSResolver(in)
		if err != nil || r.Server != want {
			t.Errorf("%s: %v %v, want %s", in, r, err, want)
		}
	}
	for _, bad := range []string{"dns.example.com", "dns.example.com:53", ""} {
		if _, err := NewDNSResolver(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSystemResolverLocalhost(t *testing.T) {
	res, err := SystemResolver{}.Resolve(context.Background(), "localhost")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Addrs) == 0 || !slices.ContainsFunc(res.Addrs, netip.Addr.IsLoopback) {
		t.Errorf("localhost resolved to %v", res.Addrs)
	}
}
