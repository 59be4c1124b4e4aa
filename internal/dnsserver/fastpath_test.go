package dnsserver

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// fullPath answers p the slow way and returns the packed response.
func fullPath(t testing.TB, h *Handler, p []byte) []byte {
	t.Helper()
	m := new(dns.Msg)
	if err := m.Unpack(p); err != nil {
		t.Fatalf("unpack query: %v", err)
	}
	w := &recorder{t: t}
	h.ServeDNS(w, m)
	if len(w.wire) != 1 {
		t.Fatalf("%d responses", len(w.wire))
	}
	return w.wire[0]
}

// flipCase swaps the case of every letter of the question name, so a
// cached answer is served to a spelling it was not built from.
func flipCase(name string) string {
	b := []byte(name)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 32
		case 'A' <= c && c <= 'Z':
			b[i] = c + 32
		}
	}
	return string(b)
}

// TestFastPathMatchesFullPath caches the full path's answer to one query,
// serves it to a variant (other ID, RD, CD and spelling), and requires what
// the full path would have said to that variant.
func TestFastPathMatchesFullPath(t *testing.T) {
	a := newAuthority(t, []string{"example.com", "example.org"}, fixture()...)
	h := NewHandler(a, Config{RRsetOrder: OrderFixed})
	fast := 0
	for _, tc := range answerCases(t) {
		for _, edns := range []int{0, 1, 2} {
			q := query(tc.qname, tc.qtype)
			if tc.edit != nil {
				tc.edit(q)
			}
			if edns > 0 && q.IsEdns0() == nil {
				q.SetEdns0(1232, edns == 2)
			}
			p, err := q.Pack()
			if err != nil {
				continue
			}
			fq, ok := parseFast(p, nil)
			if !ok || tc.tcp {
				continue
			}
			fast++
			cache := newAnswerCache(10)
			first := fullPath(t, h, p)
			cache.put(fq, first, cacheHit{}, 0, 1)

			v := q.Copy()
			v.Id++
			v.RecursionDesired = !v.RecursionDesired
			v.CheckingDisabled = !v.CheckingDisabled
			v.Question[0].Name = flipCase(v.Question[0].Name)
			pv, _ := v.Pack()
			fv, ok := parseFast(pv, nil)
			if !ok || !bytes.Equal(fv.key, fq.key) {
				t.Fatalf("%s: variant key differs", tc.name)
			}
			got, _ := cache.get(pv, fv, nil, OrderFixed)
			hit := got != nil
			if len(first) > maxCached {
				if hit {
					t.Errorf("%s: a %d-byte answer was cached", tc.name, len(first))
				}
				continue
			}
			if !hit {
				t.Fatalf("%s: no cache hit", tc.name)
			}
			want := fullPath(t, h, pv)
			sameResponse(t, tc.name, got, want)
		}
	}
	if fast < 40 {
		t.Errorf("only %d cases took the fast path", fast)
	}
}

// sameResponse compares two packed responses: byte for byte up to the end
// of the question, and otherwise ignoring the case of names, which the
// fast path may take from the question it points to.
func sameResponse(t *testing.T, name string, got, want []byte) {
	t.Helper()
	var g, w dns.Msg
	if err := g.Unpack(got); err != nil {
		t.Fatalf("%s: fast answer does not unpack: %v", name, err)
	}
	if err := w.Unpack(want); err != nil {
		t.Fatal(err)
	}
	if g.MsgHdr != w.MsgHdr || g.Question[0] != w.Question[0] {
		t.Errorf("%s: header or question differ:\n%v\n%v", name, g.MsgHdr, w.MsgHdr)
	}
	if !strings.EqualFold(g.String(), w.String()) {
		t.Errorf("%s:\n fast: %v\n full: %v", name, &g, &w)
	}
	for i, rr := range w.Answer {
		if strings.EqualFold(rr.Header().Name, w.Question[0].Name) && g.Answer[i].Header().Name != rr.Header().Name {
			t.Errorf("%s: owner %q, want the question's spelling %q", name, g.Answer[i].Header().Name, rr.Header().Name)
		}
	}
}

// TestFastPathOverUDP runs the real loop: a miss, then a hit, then a change,
// which must be answered at once although the old answer was cached.
func TestFastPathOverUDP(t *testing.T) {
	s, a := startServer(t, Config{UDPReaders: 1}, nil)
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	ask := func(name string) *dns.Msg {
		r, _, err := c.Exchange(query(name, dns.TypeA), s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for range 3 {
		if r := ask("fresh.example.com."); r.Rcode != dns.RcodeNameError {
			t.Fatalf("before: %v", r)
		}
	}
	if err := a.Apply(context.Background(), &plan.Changes{Create: []*endpoint.Endpoint{ep("fresh.example.com", "A", "192.0.2.77")}}); err != nil {
		t.Fatal(err)
	}
	if r := ask("FRESH.example.com."); len(r.Answer) != 1 || r.Answer[0].Header().Name != "FRESH.example.com." {
		t.Fatalf("after apply: %v", r)
	}
	if r := ask("fresh.EXAMPLE.com."); len(r.Answer) != 1 || r.Answer[0].Header().Name != "fresh.EXAMPLE.com." {
		t.Fatalf("cached, other spelling: %v", r)
	}
}

// FuzzParseFast checks the fast parser against the full one: whatever it
// accepts must unpack, with the same question.
func FuzzParseFast(f *testing.F) {
	for _, tc := range answerCases(&testing.T{}) {
		q := query(tc.qname, tc.qtype)
		if tc.edit != nil {
			tc.edit(q)
		}
		if b, err := q.Pack(); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		q, ok := parseFast(p, nil)
		if !ok {
			return
		}
		var m dns.Msg
		if err := m.Unpack(p); err != nil {
			t.Fatalf("fast path accepted what Unpack rejects: %v", err)
		}
		if len(m.Question) != 1 || m.Response || m.Opcode != dns.OpcodeQuery || len(m.Answer)+len(m.Ns) != 0 {
			t.Fatalf("fast path accepted %v", &m)
		}
		var wire [256]byte
		n, err := dns.PackDomainName(strings.ToLower(m.Question[0].Name), wire[:], 0, nil, false)
		if err != nil || !bytes.HasPrefix(q.key, wire[:n]) {
			t.Fatalf("key %q does not start with the question %q", q.key, m.Question[0].Name)
		}
	})
}

// TestUDPRejects covers what the UDP loop answers before the handler.
func TestUDPRejects(t *testing.T) {
	s, _ := startServer(t, Config{}, nil)
	conn, err := net.Dial("udp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, tc := range []struct {
		name  string
		edit  func(*dns.Msg)
		rcode int
	}{
		{"update", func(m *dns.Msg) { m.Opcode = dns.OpcodeUpdate }, dns.RcodeNotImplemented},
		{"answer section in a query", func(m *dns.Msg) {
			m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: "x.", Rrtype: dns.TypeA, Class: 1}, A: net.IPv4(1, 2, 3, 4)}}
		}, dns.RcodeFormatError},
	} {
		m := query("www.example.com.", dns.TypeA)
		tc.edit(m)
		p, _ := m.Pack()
		_, _ = conn.Write(p)
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 512)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var r dns.Msg
		if err := r.Unpack(buf[:n]); err != nil || r.Rcode != tc.rcode || r.Id != m.Id {
			t.Errorf("%s: %v %v", tc.name, &r, err)
		}
	}
}

// TestAnswerCacheSets: the four answers of one set all stay cached; a
// fifth evicts one of them and is cached itself.
func TestAnswerCacheSets(t *testing.T) {
	c := &answerCache{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[cachedAnswer], cacheWays)}
	var qs [][]byte
	var fqs []fastQuery
	for i := range cacheWays + 1 {
		p, _ := query(fmt.Sprintf("n%d.example.com.", i), dns.TypeA).Pack()
		fq, ok := parseFast(p, nil)
		if !ok {
			t.Fatal("not fast")
		}
		qs, fqs = append(qs, p), append(fqs, fq)
	}
	hits := func(n int) int {
		got := 0
		for i := range n {
			if resp, _ := c.get(qs[i], fqs[i], nil, OrderFixed); resp != nil {
				got++
				if !bytes.Equal(resp[12:fqs[i].qend], qs[i][12:fqs[i].qend]) {
					t.Errorf("answer %d is another question's", i)
				}
			}
		}
		return got
	}
	for i := range cacheWays {
		c.put(fqs[i], qs[i], cacheHit{}, 0, 1) // the query itself stands for its answer
	}
	if got := hits(cacheWays); got != cacheWays {
		t.Fatalf("%d of %d answers of one set cached", got, cacheWays)
	}
	c.put(fqs[cacheWays], qs[cacheWays], cacheHit{}, 0, 1)
	if got := hits(cacheWays + 1); got != cacheWays {
		t.Fatalf("after a fifth: %d cached, want %d", got, cacheWays)
	}
	if resp, _ := c.get(qs[cacheWays], fqs[cacheWays], nil, OrderFixed); resp == nil {
		t.Fatal("the newest answer was not cached")
	}
}

// TestAnswerCacheHoldsTheBenchmarkMix: the questions hack/dnsperf asks
// of its 10,000-name zone (about 17,000 different ones) fit the cache of
// that zone's snapshot: after one pass, nearly all hit. With one answer
// per slot, about a tenth collided and evicted each other.
func TestAnswerCacheHoldsTheBenchmarkMix(t *testing.T) {
	c := newAnswerCache(10000)
	var qs [][]byte
	for i := range 10000 {
		qs = append(qs, packQuery(t, fmt.Sprintf("host%d.bench.test.", i), dns.TypeA))
		if i%2 == 1 {
			qs = append(qs, packQuery(t, fmt.Sprintf("host%d.bench.test.", i), dns.TypeAAAA))
		}
		if i%3 == 0 {
			qs = append(qs, packQuery(t, fmt.Sprintf("missing%d.bench.test.", i), dns.TypeA))
		}
	}
	for _, p := range qs {
		fq, _ := parseFast(p, nil)
		c.put(fq, p, cacheHit{}, 0, 1)
	}
	hits := 0
	for _, p := range qs {
		fq, _ := parseFast(p, nil)
		if resp, _ := c.get(p, fq, nil, OrderFixed); resp != nil {
			hits++
		}
	}
	if float64(hits) < 0.99*float64(len(qs)) {
		t.Errorf("%d of %d questions cached", hits, len(qs))
	}
}

func packQuery(t *testing.T, name string, qtype uint16) []byte {
	t.Helper()
	p, err := query(name, qtype).Pack()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCachedAnswerLayout: the bytes of every size of answer start right
// after its header, where bytes() looks for them, and each size fills an
// allocation size class.
func TestCachedAnswerLayout(t *testing.T) {
	for _, off := range []uintptr{
		unsafe.Offsetof(sizedAnswer[[80]byte]{}.b), unsafe.Offsetof(sizedAnswer[[128]byte]{}.b),
		unsafe.Offsetof(sizedAnswer[[192]byte]{}.b), unsafe.Offsetof(sizedAnswer[[288]byte]{}.b),
		unsafe.Offsetof(sizedAnswer[[480]byte]{}.b), unsafe.Offsetof(sizedAnswer[[864]byte]{}.b),
	} {
		if off != answerHeader {
			t.Fatalf("bytes at offset %d, header %d", off, answerHeader)
		}
	}
	for n := 0; n <= 864; n++ {
		a := newCachedAnswer(n)
		b := a.bytes()
		if len(b) != n {
			t.Fatalf("newCachedAnswer(%d): %d bytes", n, len(b))
		}
		for i := range b {
			b[i] = byte(i)
		}
	}
	if newCachedAnswer(865) != nil {
		t.Error("an answer larger than the largest size")
	}
	if longest := 255 + 5 + 1 + maxCached; newCachedAnswer(longest) == nil {
		t.Errorf("no room for the longest key and response (%d bytes)", longest)
	}
}
