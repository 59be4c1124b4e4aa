package dnsserver

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"

	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// packWriter packs like the real writer does, so benchmarks include the
// cost of getting the answer onto the wire, minus the syscall.
type packWriter struct{ buf, last []byte }

func (w *packWriter) LocalAddr() net.Addr  { return &net.UDPAddr{} }
func (w *packWriter) RemoteAddr() net.Addr { return &net.UDPAddr{} }
func (w *packWriter) WriteMsg(m *dns.Msg) error {
	b, err := m.PackBuffer(w.buf)
	w.buf, w.last = b[:cap(b)], b
	return err
}
func (w *packWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *packWriter) Close() error                { return nil }
func (w *packWriter) TsigStatus() error           { return nil }
func (w *packWriter) TsigTimersOnly(bool)         {}
func (w *packWriter) Hijack()                     {}

// benchZone is the dnsperf zone: n A records, a CNAME and a TXT per 100,
// and a wildcard.
func benchZone(b *testing.B, n int) *Authority {
	a, err := NewAuthority(store.NewMemory([]string{"example.com"}), ZoneOptions{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	recs := []*endpoint.Endpoint{ep("*.wild.example.com", "A", "192.0.2.1")}
	for i := range n {
		recs = append(recs, ep(fmt.Sprintf("host%d.example.com", i), "A", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)))
		if i%100 == 0 {
			recs = append(recs, ep(fmt.Sprintf("alias%d.example.com", i), "CNAME", fmt.Sprintf("host%d.example.com", i)),
				ep(fmt.Sprintf("txt%d.example.com", i), "TXT", "v=spf1 -all"))
		}
	}
	if err := a.Apply(context.Background(), &plan.Changes{Create: recs}); err != nil {
		b.Fatal(err)
	}
	return a
}

func BenchmarkServeDNS(b *testing.B) {
	h := NewHandler(benchZone(b, 10000), Config{})
	for _, bc := range []struct {
		name  string
		qname string
		qtype uint16
		edns  bool
	}{
		{"hit", "host1234.example.com.", dns.TypeA, false},
		{"hit-edns", "host1234.example.com.", dns.TypeA, true},
		{"hit-mixed-case", "Host1234.Example.com.", dns.TypeA, false},
		{"cname", "alias1200.example.com.", dns.TypeA, false},
		{"nodata", "host1234.example.com.", dns.TypeAAAA, false},
		{"miss", "nothere.example.com.", dns.TypeA, false},
		{"wildcard", "x.wild.example.com.", dns.TypeA, false},
		{"refused", "www.example.net.", dns.TypeA, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			q := query(bc.qname, bc.qtype)
			if bc.edns {
				q.SetEdns0(1232, false)
			}
			w := &packWriter{buf: make([]byte, 512)}
			b.ReportAllocs()
			for b.Loop() {
				h.ServeDNS(w, q)
			}
		})
	}
}

func BenchmarkApply(b *testing.B) {
	a := benchZone(b, 10000)
	e := ep("bench.example.com", "A", "192.0.2.1")
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := &plan.Changes{Create: []*endpoint.Endpoint{e}}
		if i%2 == 1 {
			c = &plan.Changes{Delete: []*endpoint.Endpoint{e}}
		}
		i++
		if err := a.Apply(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFastPath is the UDP cache hit: parse, look up, patch.
func BenchmarkFastPath(b *testing.B) {
	h := NewHandler(benchZone(b, 10000), Config{})
	q := query("Host1234.example.com.", dns.TypeA)
	q.SetEdns0(1232, false)
	p, _ := q.Pack()
	fq, _ := parseFast(p, nil)
	snap := h.auth.Snapshot()
	w := &packWriter{buf: make([]byte, 512)}
	m := new(dns.Msg)
	_ = m.Unpack(p)
	req := NewRequest(w, m)
	resp, _, _ := h.respond(req)
	h.write(req, resp)
	b.Logf("response %d bytes", len(w.last))
	snap.answers().put(fq, w.last, cacheHit{rcode: resp.Rcode}, 0, 1)
	key := make([]byte, 0, 512)
	out := make([]byte, 0, maxCached)
	b.ReportAllocs()
	for b.Loop() {
		fq, ok := parseFast(p, key)
		if !ok {
			b.Fatal("not fast")
		}
		if resp, _ := snap.answers().get(p, fq, out, OrderCyclic); resp == nil {
			b.Fatal("miss")
		}
	}
}

// BenchmarkRRLCheck is what response rate limiting adds to every UDP
// answer: one limiter check, here for one client asking 10,000 names, as
// dnsperf does in hack/dnsperf/run.sh.
func BenchmarkRRLCheck(b *testing.B) {
	l := newRateLimiter(RRLConfig{ResponsesPerSecond: 1e9, Slip: 2}, time.Now)
	ip := netip.MustParseAddr("127.0.0.1")
	b.ReportAllocs()
	i := uint64(0)
	for b.Loop() {
		if l.check(ip, i%10000) != rrlAllow {
			b.Fatal("limited")
		}
		i++
	}
}

// discardConn is a packetConn whose writes cost nothing, so a benchmark
// sees the server's own work.
type discardConn struct{}

func (discardConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	return 0, netip.AddrPort{}, net.ErrClosed
}
func (discardConn) WriteToUDPAddrPort(b []byte, _ netip.AddrPort) (int, error) { return len(b), nil }
func (discardConn) LocalAddr() net.Addr                                        { return &net.UDPAddr{} }

// BenchmarkUDPHandle is the UDP loop's work for one cached answer (1,000
// names of a 10,000-name zone, few enough that they do not collide in the
// answer cache), without the syscalls, with RRL off and on (at a rate that
// never limits): the difference is what RRL costs a cache hit.
func BenchmarkUDPHandle(b *testing.B) {
	a := benchZone(b, 10000)
	var packets [][]byte
	for i := range 1000 {
		q := query(fmt.Sprintf("host%d.example.com.", i*10), dns.TypeA)
		p, _ := q.Pack()
		packets = append(packets, p)
	}
	from := netip.MustParseAddrPort("127.0.0.1:5300")
	// Off, on, off again: the first run warms the caches for the others.
	for i, rrl := range []int{0, 1e9, 0} {
		b.Run(fmt.Sprintf("%d/rrl=%v", i, rrl > 0), func(b *testing.B) {
			cfg := Config{RRL: RRLConfig{ResponsesPerSecond: rrl, Slip: 2}}.withDefaults()
			u := &udpServer{conn: discardConn{}, h: NewHandler(a, cfg), rrl: newRateLimiter(cfg.RRL, time.Now)}
			st := u.newState()
			for _, p := range packets { // fill the cache
				u.handle(st, p, from)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				u.handle(st, packets[i%len(packets)], from)
				i++
			}
		})
	}
}

// loopBatch is a batchConn for benchmarks: each read hands out the next
// batch of the same queries, copied in as the kernel would, until n
// datagrams have been read; writes cost nothing. Addresses are made once:
// x/net's ReadBatch allocates one per datagram, which this leaves out.
type loopBatch struct {
	queries [][]byte
	from    []*net.UDPAddr
	next, n int
}

func (l *loopBatch) ReadBatch(ms []ipv4.Message, _ int) (int, error) {
	if l.n <= 0 {
		return 0, net.ErrClosed
	}
	k := min(len(ms), l.n)
	for i := range k {
		q := l.queries[l.next]
		ms[i].N = copy(ms[i].Buffers[0], q)
		ms[i].Addr = l.from[l.next%len(l.from)]
		l.next = (l.next + 1) % len(l.queries)
	}
	l.n -= k
	return k, nil
}

func (l *loopBatch) WriteBatch(ms []ipv4.Message, _ int) (int, error) { return len(ms), nil }

// BenchmarkUDPHit is the batch loop's work per query for cached answers,
// all but the system calls: up to 32 queries a batch, answered from the
// cache, written together. One op is one query. The questions are drawn
// as hack/dnsperf draws them, from a 10,000-name zone: A (one in twenty a
// CNAME, one in a hundred TXT), 5 % NXDOMAIN, 5 % AAAA (NODATA), about
// 17,000 different ones, all cached, so the cache is as large as dnsperf
// makes it and its misses cost what they do there. From 8 clients.
// Variants: EDNS; a client cookie on every query; RRL on (never
// limiting); an RRset of three rotated cyclically.
func BenchmarkUDPHit(b *testing.B) {
	const names = 10000
	a := benchZone(b, names)
	rr := ep("rr.example.com", "A", "192.0.2.1", "192.0.2.2", "192.0.2.3")
	if err := a.Apply(context.Background(), &plan.Changes{Create: []*endpoint.Endpoint{rr}}); err != nil {
		b.Fatal(err)
	}
	var from []*net.UDPAddr
	for i := range 8 {
		from = append(from, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: 40000 + i})
	}
	mix := func(edit func(*dns.Msg)) [][]byte {
		r := rand.New(rand.NewPCG(1, 2))
		var out [][]byte
		for j := range 1 << 15 {
			i := r.IntN(names)
			var q *dns.Msg
			switch p := r.IntN(100); {
			case p < 5:
				q = query(fmt.Sprintf("missing%d.example.com.", i), dns.TypeA)
			case p < 10:
				q = query(fmt.Sprintf("host%d.example.com.", i), dns.TypeAAAA)
			case i%100 == 0:
				q = query(fmt.Sprintf("txt%d.example.com.", i), dns.TypeTXT)
			case i%20 == 0:
				q = query(fmt.Sprintf("alias%d.example.com.", i/100*100), dns.TypeA)
			default:
				q = query(fmt.Sprintf("host%d.example.com.", i), dns.TypeA)
			}
			if edit != nil {
				edit(q)
			}
			q.Id = uint16(j)
			p, err := q.Pack()
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	for _, bc := range []struct {
		name    string
		queries [][]byte
		cfg     Config
	}{
		{"plain", mix(nil), Config{}},
		{"edns", mix(func(q *dns.Msg) { q.SetEdns0(1232, false) }), Config{}},
		{"cookie", mix(func(q *dns.Msg) {
			q.SetEdns0(1232, false)
			q.IsEdns0().Option = []dns.EDNS0{&dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0102030405060708"}}
		}), Config{}},
		{"rrl", mix(nil), Config{RRL: RRLConfig{ResponsesPerSecond: 1e9, Slip: 2}}},
		{"rotate", mix(func(q *dns.Msg) { q.Question[0].Name = "rr.example.com." }), Config{RRsetOrder: OrderCyclic}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := bc.cfg.withDefaults()
			a.snap.Store(a.Snapshot().with()) // an empty answer cache
			u := &udpServer{conn: discardConn{}, h: NewHandler(a, cfg), rrl: newRateLimiter(cfg.RRL, time.Now)}
			u.batch = &loopBatch{queries: bc.queries, from: from, n: 3 * len(bc.queries)}
			u.serve() // fill the cache, every rotation
			u.batch = &loopBatch{queries: bc.queries, from: from, n: b.N}
			b.ReportAllocs()
			b.ResetTimer()
			u.serve()
		})
	}
}
