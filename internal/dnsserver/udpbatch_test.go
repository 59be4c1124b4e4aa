package dnsserver

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/net/ipv4"
)

// datagram is one packet and the address it came from or goes to.
type datagram struct {
	addr netip.AddrPort
	b    []byte
}

// sentConn is a packetConn that records what the full path sends.
type sentConn struct{ sent *[]datagram }

func (c sentConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, net.ErrClosed
}
func (c sentConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	*c.sent = append(*c.sent, datagram{addr, bytes.Clone(b)})
	return len(b), nil
}
func (c sentConn) LocalAddr() net.Addr { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53} }

// fakeBatch is a batchConn that hands out queued datagrams at most size at
// a time, then net.ErrClosed, and records what is written, a batch at a
// time, beside what the full path sends on its packetConn.
type fakeBatch struct {
	queue   []datagram
	size    int
	sent    *[]datagram
	batches []int // datagrams per WriteBatch call
}

func (f *fakeBatch) ReadBatch(ms []ipv4.Message, _ int) (int, error) {
	if len(f.queue) == 0 {
		return 0, net.ErrClosed
	}
	n := min(len(ms), f.size, len(f.queue))
	for i, d := range f.queue[:n] {
		ms[i].N = copy(ms[i].Buffers[0], d.b)
		ms[i].Addr = net.UDPAddrFromAddrPort(d.addr)
	}
	f.queue = f.queue[n:]
	return n, nil
}

func (f *fakeBatch) WriteBatch(ms []ipv4.Message, _ int) (int, error) {
	for _, m := range ms {
		*f.sent = append(*f.sent, datagram{m.Addr.(*net.UDPAddr).AddrPort(), bytes.Clone(m.Buffers[0])})
	}
	f.batches = append(f.batches, len(ms))
	return len(ms), nil
}

// batchMix is a stream of queries covering every way the UDP loop answers:
// cache misses and hits, other spellings, EDNS, DO, cookies, client
// subnets (always the full path), an RRset to rotate, truncation, errors
// before parsing, and packets to ignore; three clients, everything twice.
func batchMix(t *testing.T) []datagram {
	t.Helper()
	var msgs []*dns.Msg
	add := func(m *dns.Msg) { msgs = append(msgs, m) }
	add(query("www.example.com.", dns.TypeA)) // two records: rotated
	add(query("WWW.Example.COM.", dns.TypeA))
	add(query("nothere.example.com.", dns.TypeA))
	add(query("www.example.com.", dns.TypeAAAA))
	add(query("x.wild.example.com.", dns.TypeA))
	add(query("www.example.net.", dns.TypeA)) // refused
	q := query("www.example.com.", dns.TypeA)
	q.SetEdns0(1232, true)
	add(q)
	add(cookieQuery("www.example.com.", "0102030405060708"))
	q = query("www.example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	q.IsEdns0().Option = []dns.EDNS0{&dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: 24, Address: net.IPv4(198, 51, 100, 0)}}
	add(q)
	q = query("txt.example.com.", dns.TypeTXT) // 512 bytes: truncated, never cached
	add(q)
	q = query("www.example.com.", dns.TypeA)
	q.Opcode = dns.OpcodeStatus // NOTIMP before parsing
	add(q)
	q = query("www.example.com.", dns.TypeA)
	q.Response = true // ignored
	add(q)
	var out []datagram
	for round := range 2 {
		for c := range 3 {
			from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + c)}), uint16(4000+c))
			for i, m := range msgs {
				m.Id = uint16(1000*round + 100*c + i)
				p, err := m.Pack()
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, datagram{from, p})
			}
			out = append(out, datagram{from, []byte{1, 2, 3}}) // too short: ignored
		}
	}
	return out
}

// TestUDPBatchMatchesSingle feeds the same stream of queries to the loop
// reading one datagram at a time and to the batch loop, with RRL off and
// on, and requires the same answers to the same clients, and the same
// metrics. Batches of 5 split the stream at odd places.
func TestUDPBatchMatchesSingle(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a := newAuthority(t, []string{"example.com", "example.org"}, fixture()...)
	mix := batchMix(t)
	for _, rrl := range []RRLConfig{{}, {ResponsesPerSecond: 2, Slip: 2, Window: 15}} {
		t.Run(fmt.Sprintf("rrl=%d", rrl.ResponsesPerSecond), func(t *testing.T) {
			cfg := Config{RRsetOrder: OrderCyclic, RRL: rrl, CookieSecret: bytes.Repeat([]byte{7}, 16), now: clock.now}.withDefaults()
			run := func(batch bool) ([]datagram, *serverMetrics) {
				a.snap.Store(a.Snapshot().with()) // an empty answer cache
				h := NewHandler(a, cfg)
				h.metrics = newServerMetrics(prometheus.NewRegistry())
				var sent []datagram
				u := &udpServer{conn: sentConn{&sent}, h: h, rrl: newRateLimiter(cfg.RRL, clock.now)}
				if !batch {
					st := u.newState()
					for _, d := range mix {
						u.handle(st, d.b, d.addr)
					}
					return sent, h.metrics
				}
				fb := &fakeBatch{queue: slices.Clone(mix), size: 5, sent: &sent}
				u.batch = fb
				u.serve()
				if len(fb.batches) == 0 || slices.Max(fb.batches) < 2 {
					t.Errorf("answers written in batches of %v", fb.batches)
				}
				return sent, h.metrics
			}
			single, ms := run(false)
			batched, mb := run(true)
			key := func(d datagram) string { return d.addr.String() + " " + hex.EncodeToString(d.b) }
			sorted := func(ds []datagram) []string {
				var out []string
				for _, d := range ds {
					out = append(out, key(d))
				}
				slices.Sort(out)
				return out
			}
			if len(single) < len(mix)/2 {
				t.Fatalf("only %d answers to %d packets", len(single), len(mix))
			}
			if s, b := sorted(single), sorted(batched); !slices.Equal(s, b) {
				t.Errorf("batch loop answers differ: %d answers one at a time, %d batched", len(s), len(b))
				for _, d := range b {
					if !slices.Contains(s, d) {
						t.Logf("batched only: %s", d)
					}
				}
			}
			for rc := range ms.byRcode[0] {
				if s, b := testutil.ToFloat64(ms.byRcode[0][rc]), testutil.ToFloat64(mb.byRcode[0][rc]); s != b {
					t.Errorf("responses_total{rcode=%s}: %v one at a time, %v batched", rcodeName(rc), s, b)
				}
			}
		})
	}
}

// TestUDPBatchOverLoopback sends bursts of queries to a real server,
// without waiting for answers, so the kernel queues many and the loop
// reads them in batches: every query is answered, once, correctly, and
// counted. Over IPv4, IPv6, and a dual-stack socket asked over IPv4.
func TestUDPBatchOverLoopback(t *testing.T) {
	for _, tc := range []struct{ name, listen, dial string }{
		{"ipv4", "127.0.0.1:0", "127.0.0.1"},
		{"ipv6", "[::1]:0", "::1"},
		{"dual-stack", "[::]:0", "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.listen != "127.0.0.1:0" {
				if c, err := net.ListenPacket("udp", "[::1]:0"); err != nil {
					t.Skip("no IPv6 here:", err)
				} else {
					_ = c.Close()
				}
			}
			reg := prometheus.NewRegistry()
			s, _ := startServer(t, Config{Listen: tc.listen, UDPReaders: 2}, reg)
			_, port, _ := net.SplitHostPort(s.Addr())
			server := net.JoinHostPort(tc.dial, port)
			const clients, burst, rounds = 3, 100, 3
			for range rounds {
				for c := range clients {
					conn, err := net.Dial("udp", server)
					if err != nil {
						t.Fatal(err)
					}
					defer conn.Close()
					want := map[uint16]string{}
					for i := range burst {
						name, ip := "www.example.com.", ""
						switch i % 3 {
						case 0:
							name, ip = "ns1.example.com.", "192.0.2.2"
						case 1:
							name, ip = fmt.Sprintf("miss%d.example.com.", i), "NXDOMAIN"
						}
						q := query(name, dns.TypeA)
						q.Id = uint16(c*burst + i)
						want[q.Id] = ip
						p, _ := q.Pack()
						if _, err := conn.Write(p); err != nil {
							t.Fatal(err)
						}
					}
					_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
					buf := make([]byte, 1500)
					for len(want) > 0 {
						n, err := conn.Read(buf)
						if err != nil {
							t.Fatalf("%d queries unanswered: %v", len(want), err)
						}
						var r dns.Msg
						if err := r.Unpack(buf[:n]); err != nil {
							t.Fatal(err)
						}
						ip, ok := want[r.Id]
						if !ok {
							t.Fatalf("an answer to no query, or a second answer: id %d", r.Id)
						}
						delete(want, r.Id)
						switch {
						case ip == "NXDOMAIN" && r.Rcode != dns.RcodeNameError,
							ip == "" && (r.Rcode != dns.RcodeSuccess || len(r.Answer) != 2),
							ip != "" && ip != "NXDOMAIN" && (len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != ip):
							t.Fatalf("id %d: want %q, got\n%v", r.Id, ip, &r)
						}
					}
				}
			}
			m := s.Handler().metrics
			waitCount(t, m.byRcode[0][dns.RcodeSuccess], rounds*clients*(burst-burst/3))
			waitCount(t, m.byRcode[0][dns.RcodeNameError], rounds*clients*(burst/3))
		})
	}
}
