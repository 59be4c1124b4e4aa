package dnsserver

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/ipv4"
)

// replayBatch is a batchConn handing out the same datagrams on every read,
// from a few client addresses made once, and counting what is written.
type replayBatch struct {
	queries [][]byte
	from    []*net.UDPAddr
	written int
	calls   int
}

func (r *replayBatch) ReadBatch(ms []ipv4.Message, _ int) (int, error) {
	n := min(len(ms), len(r.queries))
	for i := range n {
		ms[i].N = copy(ms[i].Buffers[0], r.queries[i])
		ms[i].Addr = r.from[i%len(r.from)]
	}
	return n, nil
}

// WriteBatch counts the calls too: the full path sends its own answers,
// one per call, so a batch answered from the cache alone is one call.
func (r *replayBatch) WriteBatch(ms []ipv4.Message, _ int) (int, error) {
	r.written += len(ms)
	r.calls++
	return len(ms), nil
}

// TestHitPathAllocatesNothing: once the answers are cached, a batch of
// queries is read, answered, sent and counted in the metrics without an
// allocation, with EDNS, cookies, RRL and rotation too. An allocation per
// query costs more than the lookup itself and feeds the GC under load.
func TestHitPathAllocatesNothing(t *testing.T) {
	a := newAuthority(t, []string{"example.com"},
		ep("www.example.com", "A", "192.0.2.1"),
		ep("rr.example.com", "A", "192.0.2.1", "192.0.2.2", "192.0.2.3"),
		ep("txt.example.com", "TXT", "v=spf1 -all"),
		ep("alias.example.com", "CNAME", "www.example.com"))
	questions := []struct {
		name  string
		qtype uint16
	}{
		{"www.example.com.", dns.TypeA},
		{"WWW.Example.com.", dns.TypeA},     // another spelling, the same answer
		{"www.example.com.", dns.TypeAAAA},  // NODATA
		{"missing.example.com.", dns.TypeA}, // NXDOMAIN
		{"txt.example.com.", dns.TypeTXT},
		{"alias.example.com.", dns.TypeA},
	}
	withEDNS := func(q *dns.Msg) { q.SetEdns0(1232, true) }
	withCookie := func(q *dns.Msg) {
		q.SetEdns0(1232, false)
		q.IsEdns0().Option = []dns.EDNS0{&dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0102030405060708"}}
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		only string // ask this name alone, if set
		edit func(*dns.Msg)
	}{
		{name: "plain", cfg: Config{RRsetOrder: OrderFixed}},
		{name: "edns", cfg: Config{RRsetOrder: OrderFixed}, edit: withEDNS},
		{name: "cookie", cfg: Config{RRsetOrder: OrderFixed}, edit: withCookie},
		{name: "rrl", cfg: Config{RRsetOrder: OrderFixed, RRL: RRLConfig{ResponsesPerSecond: 1e9, Slip: 2}}},
		{name: "rrl and cookie", cfg: Config{RRsetOrder: OrderFixed, RRL: RRLConfig{ResponsesPerSecond: 1e9, Slip: 2}}, edit: withCookie},
		{name: "cyclic", cfg: Config{RRsetOrder: OrderCyclic}, only: "rr.example.com."},
		{name: "random", cfg: Config{RRsetOrder: OrderRandom}, only: "rr.example.com."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var queries [][]byte
			for i, q := range questions {
				name := q.name
				if tc.only != "" {
					name = tc.only
				}
				m := query(name, q.qtype)
				m.Id = uint16(i)
				if tc.edit != nil {
					tc.edit(m)
				}
				p, err := m.Pack()
				if err != nil {
					t.Fatal(err)
				}
				queries = append(queries, p)
			}
			cfg := tc.cfg.withDefaults()
			h := NewHandler(a, cfg)
			h.metrics = newServerMetrics(prometheus.NewRegistry())
			rb := &replayBatch{queries: queries}
			for i := range 3 {
				rb.from = append(rb.from, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: 40000 + i})
			}
			u := &udpServer{conn: discardConn{}, batch: rb, h: h, rrl: newRateLimiter(cfg.RRL, time.Now)}
			st, b := u.newBatchLoop()
			for range 20 { // every answer and rotation cached
				if _, err := u.serveOnce(st, b, udpBatch); err != nil {
					t.Fatal(err)
				}
			}
			rb.written, rb.calls = 0, 0
			allocs := testing.AllocsPerRun(100, func() {
				if _, err := u.serveOnce(st, b, udpBatch); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocations per batch of %d", allocs, len(queries))
			}
			if rb.calls != 101 || rb.written != 101*len(queries) {
				t.Errorf("%d answers in %d writes, want %d in 101: not all from the cache", rb.written, rb.calls, 101*len(queries))
			}
		})
	}
}
