package dnsserver

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// fakeConn is a packetConn that records what the server sends, so a test
// can send from addresses it could never bind.
type fakeConn struct{ sent map[netip.Addr][]*dns.Msg }

func (f *fakeConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, net.ErrClosed
}

func (f *fakeConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	m := new(dns.Msg)
	if err := m.Unpack(b); err != nil {
		return 0, err
	}
	f.sent[addr.Addr()] = append(f.sent[addr.Addr()], m)
	return len(b), nil
}

func (f *fakeConn) LocalAddr() net.Addr { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53} }

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// rrlServer is a UDP loop on a fake socket with a fake clock.
func rrlServer(t *testing.T, rrl RRLConfig, reg prometheus.Registerer) (*udpServer, *fakeConn, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a := newAuthority(t, []string{"example.com", "example.org"}, fixture()...)
	cfg := Config{RRsetOrder: OrderFixed, RRL: rrl, now: clock.now}.withDefaults()
	h := NewHandler(a, cfg)
	h.metrics = newServerMetrics(reg)
	conn := &fakeConn{sent: map[netip.Addr][]*dns.Msg{}}
	return &udpServer{conn: conn, h: h, rrl: newRateLimiter(cfg.RRL, clock.now)}, conn, clock
}

// classify counts full answers and truncated slips.
func classify(msgs []*dns.Msg) (full, slipped int) {
	for _, m := range msgs {
		if m.Truncated {
			slipped++
		} else {
			full++
		}
	}
	return full, slipped
}

// TestRRLSpoofedFlood floods from 100 spoofed addresses in 127.0.5.0/24,
// 100 queries a second for 10 s, while a client in 127.0.9.0/24 asks the
// same question twice a second. The flooded prefix gets the burst of 5 and then only
// slips (every other limited response, truncated and empty); the other
// client gets every answer. After the window of quiet, the prefix is
// answered again.
func TestRRLSpoofedFlood(t *testing.T) {
	for _, tc := range []struct {
		name  string
		qname func(i int) string
	}{
		{"one name", func(int) string { return "www.example.com." }},
		{"random names under one zone (NXDOMAIN)", func(i int) string { return fmt.Sprintf("r%d.example.com.", i) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			u, conn, clock := rrlServer(t, RRLConfig{ResponsesPerSecond: 5, Slip: 2, IPv4PrefixLen: 24, IPv6PrefixLen: 56, Window: 15}, reg)
			st := u.newState()
			send := func(from netip.Addr, name string) {
				p, _ := query(name, dns.TypeA).Pack()
				u.handle(st, p, netip.AddrPortFrom(from, 5353))
			}
			normal := netip.MustParseAddr("127.0.9.9")
			const floodQueries = 1000
			for i := range floodQueries {
				send(netip.AddrFrom4([4]byte{127, 0, 5, byte(1 + i%100)}), tc.qname(i))
				if i%50 == 0 { // a resolver's pace: twice a second, within the rate
					send(normal, tc.qname(i))
				}
				clock.t = clock.t.Add(10 * time.Millisecond)
			}
			var victim []*dns.Msg
			for a, msgs := range conn.sent {
				if a != normal {
					victim = append(victim, msgs...)
				}
			}
			full, slipped := classify(victim)
			t.Logf("flood of %d queries over 10 s: %d answered, %d slipped, %d dropped", floodQueries, full, slipped, floodQueries-full-slipped)
			if full != 5 || slipped != (floodQueries-5)/2 {
				t.Errorf("flooded prefix: %d answered, %d slipped; want the burst of 5 and %d slips", full, slipped, (floodQueries-5)/2)
			}
			if nf, ns := classify(conn.sent[normal]); nf != floodQueries/50 || ns != 0 {
				t.Errorf("the other prefix: %d answered, %d slipped; want all %d answered", nf, ns, floodQueries/50)
			}
			for _, m := range victim {
				if m.Truncated && (len(m.Answer)+len(m.Ns)+len(m.Extra) != 0 || m.Rcode != dns.RcodeSuccess) {
					t.Fatalf("a slip must be empty and truncated:\n%v", m)
				}
			}
			if lim, sl, dr := testutil.ToFloat64(u.h.metrics.rrlLimited), testutil.ToFloat64(u.h.metrics.rrlSlipped), testutil.ToFloat64(u.h.metrics.rrlDropped); int(lim) != floodQueries-5 || int(sl) != slipped || lim != sl+dr {
				t.Errorf("metrics: limited %v, slipped %v, dropped %v", lim, sl, dr)
			}

			// A window of quiet pays the debt off: answered again.
			clock.t = clock.t.Add(16 * time.Second)
			conn.sent = map[netip.Addr][]*dns.Msg{}
			send(netip.MustParseAddr("127.0.5.77"), tc.qname(0))
			if f, _ := classify(conn.sent[netip.MustParseAddr("127.0.5.77")]); f != 1 {
				t.Errorf("after the window: %d answers, want 1", f)
			}
		})
	}
}

// TestRRLPrefixes: addresses in one prefix share a budget, others do not.
func TestRRLPrefixes(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	l := newRateLimiter(RRLConfig{ResponsesPerSecond: 1, Slip: 0, IPv4PrefixLen: 24, IPv6PrefixLen: 56}, clock.now)
	for _, tc := range []struct {
		a, b   string
		shared bool
	}{
		{"192.0.2.1", "192.0.2.200", true},
		{"192.0.2.1", "192.0.3.1", false},
		{"2001:db8:1:2::1", "2001:db8:1:ff:1::9", true},
		{"2001:db8:1:2::1", "2001:db8:1:100::1", false},
		{"::ffff:192.0.2.1", "192.0.2.9", true},
	} {
		id := uint64(len(tc.a)*1000 + len(tc.b))
		first := l.check(netip.MustParseAddr(tc.a), id)
		second := l.check(netip.MustParseAddr(tc.b), id)
		if first != rrlAllow || (second == rrlAllow) == tc.shared {
			t.Errorf("%s then %s: %v, %v; shared budget = %v", tc.a, tc.b, first, second, tc.shared)
		}
		clock.t = clock.t.Add(time.Hour)
	}
}

func TestRRLConfigValidate(t *testing.T) {
	if err := DefaultRRLConfig().Validate(); err != nil {
		t.Error(err)
	}
	for _, c := range []RRLConfig{{ResponsesPerSecond: -1}, {Slip: -1}, {IPv4PrefixLen: 33}, {IPv6PrefixLen: 129}} {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// TestRRLFloodOverUDP floods the real server from 50 addresses of
// 127.0.5.0/24, 20 queries each as fast as they go, while a client in
// 127.0.9.0/24 asks twice a second. The flooded prefix gets at most the
// rate (plus its burst) of full answers, and slips; the other client gets
// every answer.
func TestRRLFloodOverUDP(t *testing.T) {
	s, _ := startServer(t, Config{RRL: DefaultRRLConfig()}, nil)
	q, _ := query("www.example.com.", dns.TypeA).Pack()
	type tally struct{ full, slipped int }
	results := make(chan tally, 50)
	begin := time.Now()
	for i := range 50 {
		go func() {
			var got tally
			defer func() { results <- got }()
			c, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 5, byte(1+i))}, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(s.Addr())))
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			for range 20 {
				if _, err := c.Write(q); err != nil {
					t.Error(err)
					return
				}
			}
			// Dropped answers never come: read until the server has been
			// quiet for half a second. A late answer can only lower the
			// count, never fail the bound below.
			buf := make([]byte, 1500)
			for {
				_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				var m dns.Msg
				if m.Unpack(buf[:n]) == nil {
					if m.Truncated {
						got.slipped++
					} else {
						got.full++
					}
				}
			}
		}()
	}
	c := &dns.Client{Net: "udp", Timeout: time.Second, Dialer: &net.Dialer{LocalAddr: &net.UDPAddr{IP: net.IPv4(127, 0, 9, 9)}}}
	for i := range 4 {
		// A resolver sends again after a timeout: the flood can fill the
		// socket's receive buffer on a loaded machine (a CI run lost one
		// query so), and that loss is the network's, not the limiter's.
		// An answer that comes must be whole; a prefix wrongly limited
		// gets slips (TC) or drops on every try, which still fails.
		var r *dns.Msg
		var err error
		for try := 0; try < 3; try++ {
			if r, _, err = c.Exchange(query("www.example.com.", dns.TypeA), s.Addr()); err == nil {
				break
			}
			t.Logf("query %d from the other prefix, try %d: %v", i, try+1, err)
		}
		if err != nil || r.Truncated || len(r.Answer) != 2 {
			t.Fatalf("query %d from the other prefix during the flood: %v %v", i, r, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	var total tally
	for range 50 {
		got := <-results
		total.full += got.full
		total.slipped += got.slipped
	}
	elapsed := time.Since(begin).Seconds()
	t.Logf("flood of 1000 queries: %d answered, %d slipped in %.1f s", total.full, total.slipped, elapsed)
	if limit := 5 + int(5*elapsed) + 1; total.full > limit || total.slipped == 0 {
		t.Errorf("flooded prefix got %d full answers (limit %d at 5/s) and %d slips", total.full, limit, total.slipped)
	}
}
