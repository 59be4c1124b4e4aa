package dnsserver

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// udpServer answers on one UDP socket. It replaces dns.Server for UDP,
// which spawns a goroutine and unpacks a dns.Msg for every packet; here one
// loop per socket answers in place, and most queries take the fast path
// (fastpath.go) without allocating. With SO_REUSEPORT there are several
// sockets, each with its loop (Config.UDPReaders).
type udpServer struct {
	conn  packetConn
	batch batchConn // nil: one datagram per system call
	h     *Handler
	rrl   *rateLimiter // nil: no rate limiting
}

// packetConn is the part of *net.UDPConn the loop uses; tests put a fake
// in its place to send from addresses they cannot bind.
type packetConn interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	LocalAddr() net.Addr
}

// readErrorPause keeps a socket that fails every read (it should not) from
// spinning a core.
const readErrorPause = 10 * time.Millisecond

// udpState is one read loop's reusable buffers.
type udpState struct {
	in, out, key []byte
	w            *udpWriter
	// sent counts the fast path's responses by rcode until flushMetrics
	// adds them to the metrics: one atomic add per batch and rcode rather
	// than one per query on a counter every core writes.
	sent [dns.RcodeBadCookie + 1]uint32
}

func (u *udpServer) newState() *udpState {
	st := &udpState{
		in: make([]byte, udpReadBuffer), out: make([]byte, 0, maxHit), key: make([]byte, 0, 512),
		w: &udpWriter{conn: u.conn, buf: make([]byte, 2*maxCached)},
	}
	st.w.key = u.h.tsig
	return st
}

// maxHit is the largest answer of the fast path: a cached answer and the
// cookie added to it.
const maxHit = maxCached + cookieOptionLen

// flushMetrics adds the responses counted in st to the metrics.
func (u *udpServer) flushMetrics(st *udpState) {
	for rc, n := range st.sent {
		if n != 0 {
			u.h.metrics.responses(false, rc, int(n))
			st.sent[rc] = 0
		}
	}
}

// serve reads until the socket is closed: a batch of datagrams at a time
// where the platform can (udpbatch.go), one at a time elsewhere.
func (u *udpServer) serve() {
	if u.batch != nil {
		u.serveBatch()
		return
	}
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

// handle answers one packet p from addr, sending the answer at once.
func (u *udpServer) handle(st *udpState, p []byte, addr netip.AddrPort) {
	if resp := u.answer(st, st.out, p, addr); resp != nil {
		_, _ = u.conn.WriteToUDPAddrPort(resp, addr)
	}
	u.flushMetrics(st)
}

// answer answers one packet p from addr. A query the answer cache holds
// (fastpath.go) is answered into out[:0], which must have room for maxHit
// bytes, and returned for the caller to send; it is counted in st.sent.
// Anything else goes to the full path, which sends its own answer, if
// any, and answer returns nil.
func (u *udpServer) answer(st *udpState, out, p []byte, addr netip.AddrPort) []byte {
	q, fast := parseFast(p, st.key)
	if !fast {
		return u.answerParsed(st, out, p, q, nil, 0, addr)
	}
	st.key = q.key
	c := u.h.auth.Snapshot().answers()
	return u.answerParsed(st, out, p, q, c, c.hash(q.key), addr)
}

// answerParsed is answer for a packet parsed already: c is the cache to
// answer from and h the hash of q's key in it, c nil when the fast path
// cannot answer p.
func (u *udpServer) answerParsed(st *udpState, out, p []byte, q fastQuery, c *answerCache, h uint64, addr netip.AddrPort) []byte {
	hit := cacheHit{rot: -1}
	slip := false
	fast := c != nil
	if fast {
		var resp []byte
		resp, hit = c.getHashed(p, q, h, out, u.h.order)
		valid := false
		if resp != nil && q.cookie != nil {
			var ok bool
			if resp, valid, ok = u.h.addCookie(resp, q, addr.Addr()); !ok {
				resp = nil
			}
		}
		if resp != nil {
			action := rrlAllow
			if !valid { // a valid server cookie is not a spoofed source
				action = u.limit(addr.Addr(), hit.rrlID)
			}
			switch action {
			case rrlAllow:
				if uint(hit.rcode) < uint(len(st.sent)) {
					st.sent[hit.rcode]++
				}
				return resp
			case rrlDrop:
				return nil
			}
			slip = true // rare: the full path builds the truncated answer
		}
	}
	st.w.addr = addr
	u.slow(st.w, p, q, fast, hit.rot, slip)
	return nil
}

// limit asks the rate limiter, if any, and counts what it says.
func (u *udpServer) limit(ip netip.Addr, id uint64) rrlAction {
	if u.rrl == nil {
		return rrlAllow
	}
	a := u.rrl.check(ip, id)
	u.h.metrics.rrl(a)
	return a
}

// slow answers through the full handler, as dns.Server would, and caches
// the packed response when the fast path can reuse it. rot is the rotation
// the cache asks for (-1: any); slip means RRL has already decided.
func (u *udpServer) slow(w *udpWriter, p []byte, q fastQuery, fast bool, rot int, slip bool) {
	r, rc, ok := intake(p)
	if !ok {
		return
	}
	if r == nil {
		// A slip of a header-only error is the error itself.
		if u.limit(w.addr.Addr(), u.rrlErrorID(rc)) != rrlDrop {
			w.writeReject(p, rc, u.h.bufSize)
			u.h.metrics.response(false, rc)
		}
		return
	}
	w.status, w.mac = nil, ""
	if t := r.IsTsig(); t != nil {
		w.key = u.h.keyFor(t.Hdr.Name) // the transfer key or an update key
		w.status, w.mac = verifyTSIG(p, w.key), t.MAC
	}
	req := NewRequest(w, r)
	req.raw, req.rot = p, rot
	m, snap, cacheable := u.h.respond(req)
	if m == nil {
		return
	}
	var id uint64
	if u.rrl != nil && !req.rrlExempt() {
		id = u.rrl.responseID(req, m)
		if !slip {
			switch u.limit(w.addr.Addr(), id) {
			case rrlDrop:
				return
			case rrlSlip:
				slip = true
			}
		}
	}
	if slip {
		m, cacheable = u.h.slipReply(req), false
	}
	w.packed = nil
	u.h.write(req, m)
	if fast && cacheable && snap != nil && !req.cut && !m.Truncated && w.packed != nil {
		wire := w.packed
		if q.cookie != nil {
			wire = stripCookie(wire) // cached for every client, with or without a cookie
		}
		if wire != nil {
			if id == 0 && u.rrl != nil {
				id = u.rrl.responseID(req, m) // an exempt client's answer serves others too
			}
			snap.answers().put(q, wire, cacheHit{rcode: m.Rcode, rrlID: id}, req.rot, req.nrot)
		}
	}
}

func (u *udpServer) rrlErrorID(rc int) uint64 {
	if u.rrl == nil {
		return 0
	}
	return u.rrl.errorID(rc)
}

// udpWriter is the dns.ResponseWriter of the UDP slow path. It is reused
// for every query on its socket, so it keeps its pack buffer.
type udpWriter struct {
	conn   packetConn
	addr   netip.AddrPort
	key    *TSIGKey // ours, nil without one
	status error    // TSIG verification of the current query
	mac    string   // its MAC, which a signed response chains on
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
	if m.IsTsig() != nil {
		b, _, err := signMsg(m, w.key, w.mac, false)
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

// writeReject answers a query refused before parsing.
func (w *udpWriter) writeReject(p []byte, rcode int, bufSize uint16) {
	if b, err := rejectMsg(p, rcode, bufSize).Pack(); err == nil {
		_, _ = w.Write(b)
	}
}
