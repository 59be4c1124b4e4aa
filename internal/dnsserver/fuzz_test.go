package dnsserver

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

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

// FuzzTCPStream feeds an arbitrary byte stream to one TCP connection of
// the server: length prefixes that lie, messages cut short, pipelined
// queries. The connection must end (no hang) without a panic.
func FuzzTCPStream(f *testing.F) {
	var pipelined []byte
	for i, tc := range answerCases(&testing.T{}) {
		q := query(tc.qname, tc.qtype)
		if tc.edit != nil {
			tc.edit(q)
		}
		if b, err := q.Pack(); err == nil {
			framed := append([]byte{byte(len(b) >> 8), byte(len(b))}, b...)
			if i%8 == 0 { // a few alone: each costs a read timeout
				f.Add(framed)
			}
			pipelined = append(pipelined, framed...)
		}
	}
	f.Add(pipelined)
	f.Add([]byte{0xff, 0xff, 1, 2, 3})
	f.Add([]byte{0})
	a := newAuthority(f, []string{"example.com", "example.org"}, fixture()...)
	key, _ := ParseTSIGKey("xfr-key:" + testSecret)
	cfg := Config{TSIG: &key, ReadTimeout: 50 * time.Millisecond, IdleTimeout: 50 * time.Millisecond,
		WriteTimeout: 50 * time.Millisecond, MaxTCPQueries: 4}.withDefaults()
	s := newTCPServer(nil, NewHandler(a, cfg), cfg)
	f.Fuzz(func(t *testing.T, stream []byte) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.serveConn(&tcpConn{Conn: server})
		}()
		go func() {
			_ = client.SetWriteDeadline(time.Now().Add(2 * time.Second))
			_, _ = client.Write(stream)
		}()
		_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.Copy(io.Discard, client) // until the server closes
		client.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("the connection did not end")
		}
	})
}
