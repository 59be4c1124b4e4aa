package dnsserver

import (
	"context"
	"net"
	"testing"

	"github.com/miekg/dns"
)

// FuzzServeDNS feeds arbitrary bytes that parse as a DNS message through the
// handler. It must not panic, every response must pack, and a UDP response
// must fit the size the client may receive.
func FuzzServeDNS(f *testing.F) {
	for _, tc := range answerCases(&testing.T{}) {
		q := query(tc.qname, tc.qtype)
		if tc.edit != nil {
			tc.edit(q)
		}
		if b, err := q.Pack(); err == nil {
			f.Add(b, tc.tcp)
		}
	}
	f.Add([]byte{}, false)
	f.Add(make([]byte, 12), true)

	a := newAuthority(f, []string{"example.com", "example.org"}, fixture()...)
	key, _ := ParseTSIGKey("xfr-key:" + testSecret)
	h := NewHandler(a, Config{TSIG: &key})
	f.Fuzz(func(t *testing.T, data []byte, tcp bool) {
		m := new(dns.Msg)
		if err := m.Unpack(data); err != nil {
			return
		}
		w := &recorder{tcp: tcp, t: t}
		h.ServeDNS(w, m)
		if len(w.msgs) == 0 || tcp || len(m.Question) != 1 {
			return
		}
		limit := NewRequest(w, m).Size(DefaultEDNSBufferSize)
		if w.msgs[0].IsTsig() == nil && len(w.wire[0]) > limit {
			t.Errorf("UDP response of %d bytes, client limit %d", len(w.wire[0]), limit)
		}
	})
}

// FuzzUDP feeds arbitrary bytes to the UDP loop's packet handling, fast
// path, cache and slow path included, writing answers to a socket nobody
// reads.
func FuzzUDP(f *testing.F) {
	for _, tc := range answerCases(&testing.T{}) {
		q := query(tc.qname, tc.qtype)
		if tc.edit != nil {
			tc.edit(q)
		}
		if b, err := q.Pack(); err == nil {
			f.Add(b)
		}
	}
	a := newAuthority(f, []string{"example.com", "example.org"}, fixture()...)
	key, _ := ParseTSIGKey("xfr-key:" + testSecret)
	var conns []*net.UDPConn
	for range 2 {
		c, err := listenUDP(context.Background(), "127.0.0.1:0", 1)
		if err != nil {
			f.Fatal(err)
		}
		defer c[0].Close()
		conns = append(conns, c[0])
	}
	u := &udpServer{conn: conns[0], h: NewHandler(a, Config{TSIG: &key})}
	st := u.newState()
	sink := conns[1].LocalAddr().(*net.UDPAddr).AddrPort() // never read: answers are dropped
	f.Fuzz(func(t *testing.T, p []byte) {
		u.handle(st, p, sink)
		u.handle(st, p, sink) // again: a cache hit where the first filled it
	})
}
