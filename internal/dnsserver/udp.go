package dnsserver

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// udpServer answers on one UDP socket. It replaces dns.Server for UDP,
// which spawns a goroutine and unpacks a dns.Msg for every packet; here one
// loop per socket answers in place, and most queries take the fast path
// (fastpath.go) without allocating. With SO_REUSEPORT there is one socket,
// and one loop, per core. TCP, where a connection costs more than a query,
// stays with dns.Server.
type udpServer struct {
	conn *net.UDPConn
	h    *Handler
}

// readErrorPause keeps a socket that fails every read (it should not) from
// spinning a core.
const readErrorPause = 10 * time.Millisecond

// udpState is one read loop's reusable buffers.
type udpState struct {
	in, out, key []byte
	w            *udpWriter
}

func (u *udpServer) newState() *udpState {
	st := &udpState{
		in: make([]byte, udpReadBuffer), out: make([]byte, 0, maxCached), key: make([]byte, 0, 512),
		w: &udpWriter{conn: u.conn, buf: make([]byte, 2*maxCached)},
	}
	if k := u.h.tsig; k != nil {
		st.w.secret = k.Secret
	}
	return st
}

// serve reads until the socket is closed.
func (u *udpServer) serve() {
	st := u.newState()
	for {
		n, addr, err := u.conn.ReadFromUDPAddrPort(st.in)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(readErrorPause)
			continue
		}
		u.handle(st, st.in[:n], addr)
	}
}

// handle answers one packet p from addr.
func (u *udpServer) handle(st *udpState, p []byte, addr netip.AddrPort) {
	q, fast := parseFast(p, st.key)
	if fast {
		st.key = q.key
		if resp, rcode, ok := u.h.auth.Snapshot().answers().get(p, q, st.out); ok {
			_, _ = u.conn.WriteToUDPAddrPort(resp, addr)
			u.h.metrics.response(false, rcode)
			return
		}
	}
	st.w.addr = addr
	u.slow(st.w, p, q, fast)
}

// slow answers through the full handler, as dns.Server would, and caches
// the packed response when the fast path can reuse it.
func (u *udpServer) slow(w *udpWriter, p []byte, q fastQuery, fast bool) {
	if len(p) < 12 {
		return // not even a header: nothing to answer to
	}
	dh := dns.Header{
		Id: binary.BigEndian.Uint16(p), Bits: binary.BigEndian.Uint16(p[2:]),
		Qdcount: binary.BigEndian.Uint16(p[4:]), Ancount: binary.BigEndian.Uint16(p[6:]),
		Nscount: binary.BigEndian.Uint16(p[8:]), Arcount: binary.BigEndian.Uint16(p[10:]),
	}
	r := new(dns.Msg)
	switch accept(dh) {
	case dns.MsgIgnore:
		return
	case dns.MsgRejectNotImplemented:
		w.reject(dh, dns.RcodeNotImplemented)
		return
	case dns.MsgReject:
		w.reject(dh, dns.RcodeFormatError)
		return
	}
	if err := r.Unpack(p); err != nil {
		w.reject(dh, dns.RcodeFormatError)
		return
	}
	w.status, w.mac = nil, ""
	if t := r.IsTsig(); t != nil {
		w.status, w.mac = dns.ErrSecret, t.MAC
		if w.secret != "" {
			w.status = dns.TsigVerify(p, w.secret, "", false)
		}
	}
	req := NewRequest(w, r)
	m, snap, cacheable := u.h.respond(req)
	if m == nil {
		return
	}
	w.packed = nil
	u.h.write(req, m)
	if fast && cacheable && snap != nil && !m.Truncated && w.packed != nil {
		snap.answers().put(q, w.packed, m.Rcode)
	}
}

// udpWriter is the dns.ResponseWriter of the UDP slow path. It is reused
// for every query on its socket, so it keeps its pack buffer.
type udpWriter struct {
	conn   *net.UDPConn
	addr   netip.AddrPort
	secret string // our TSIG secret, "" without a key
	status error  // TSIG verification of the current query
	mac    string // its MAC, which a signed response chains on
	buf    []byte
	packed []byte // the last unsigned response packed, for the cache
}

func (w *udpWriter) LocalAddr() net.Addr  { return w.conn.LocalAddr() }
func (w *udpWriter) RemoteAddr() net.Addr { return net.UDPAddrFromAddrPort(w.addr) }
func (w *udpWriter) TsigStatus() error    { return w.status }
func (w *udpWriter) TsigTimersOnly(bool)  {}
func (w *udpWriter) Hijack()              {}
func (w *udpWriter) Close() error         { return nil }

func (w *udpWriter) WriteMsg(m *dns.Msg) error {
	if m.IsTsig() != nil && w.secret != "" {
		b, _, err := dns.TsigGenerate(m, w.secret, w.mac, false)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	b, err := m.PackBuffer(w.buf)
	if err != nil {
		return err
	}
	if cap(b) > cap(w.buf) && cap(b) <= udpReadBuffer {
		w.buf = b[:cap(b)]
	}
	w.packed = b
	_, err = w.Write(b)
	return err
}

func (w *udpWriter) Write(b []byte) (int, error) { return w.conn.WriteToUDPAddrPort(b, w.addr) }

// reject answers a query dropped before parsing, as dns.Server does: the
// header alone, with an error rcode.
func (w *udpWriter) reject(dh dns.Header, rcode int) {
	m := &dns.Msg{MsgHdr: dns.MsgHdr{Id: dh.Id, Response: true, Opcode: int(dh.Bits>>11) & 0xF, Rcode: rcode}}
	if b, err := m.Pack(); err == nil {
		_, _ = w.Write(b)
	}
}
