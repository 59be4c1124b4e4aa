package dnsserver

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// tcpServer answers DNS over TCP (RFC 7766). It replaces dns.Server for
// TCP, whose only defence against a client holding connections open is a
// cap that makes everyone else wait in the accept queue: 300 idle
// connections from one address pushed other clients to 2 s answers.
// Here, instead:
//
//   - one client address (one /64 for IPv6) holds at most
//     MaxTCPConnectionsPerClient connections; more are closed at accept;
//   - when MaxTCPConnections are open, the connection idle longest is
//     closed to make room (RFC 7766 section 6.2.3), so a new client is
//     answered at once instead of queueing;
//   - a connection gets ReadTimeout for its first query and IdleTimeout
//     between queries;
//   - after MaxTCPQueries, queries already sent are still answered, then
//     the connection is half-closed (FIN) and drained, never reset.
type tcpServer struct {
	ln  net.Listener
	h   *Handler
	cfg Config

	mu        sync.Mutex
	conns     map[*tcpConn]struct{}
	perClient map[netip.Addr]int
	closed    bool
	wg        sync.WaitGroup
}

// tcpConn is one connection and what eviction needs to know about it.
type tcpConn struct {
	net.Conn
	client netip.Addr
	// idleSince is when it began waiting for a query (UnixNano); 0 while
	// a query is being answered, which is never interrupted.
	idleSince atomic.Int64
}

// acceptErrorPause keeps a listener that fails (out of descriptors) from
// spinning a core.
const acceptErrorPause = 10 * time.Millisecond

// drainTimeout bounds the wait for the client's FIN after ours, and
// drainBytes what is read and discarded meanwhile.
const (
	drainTimeout = 2 * time.Second
	drainBytes   = 64 << 10
	// pipelineGrace is how long, past MaxTCPQueries, the next query may
	// take to arrive and still be answered: long enough for queries the
	// client already sent, too short to keep the connection going.
	pipelineGrace = 100 * time.Millisecond
)

func newTCPServer(ln net.Listener, h *Handler, cfg Config) *tcpServer {
	return &tcpServer{ln: ln, h: h, cfg: cfg, conns: map[*tcpConn]struct{}{}, perClient: map[netip.Addr]int{}}
}

// serve accepts until the listener is closed.
func (s *tcpServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(acceptErrorPause)
			continue
		}
		if tc := s.admit(c); tc != nil {
			go func() {
				defer s.wg.Done()
				s.serveConn(tc)
			}()
		}
	}
}

// admit registers a new connection, or closes it (or an idle one) when
// the limits say so.
func (s *tcpServer) admit(c net.Conn) *tcpConn {
	tc := &tcpConn{Conn: c, client: clientKey(c.RemoteAddr())}
	tc.idleSince.Store(time.Now().UnixNano())
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		_ = c.Close()
		return nil
	case s.perClient[tc.client] >= s.cfg.MaxTCPConnectionsPerClient:
		_ = c.Close()
		s.h.metrics.shed("client_limit")
		return nil
	case len(s.conns) >= s.cfg.MaxTCPConnections:
		victim := s.oldestIdle()
		if victim == nil {
			_ = c.Close() // every connection is busy answering: this one waits its turn
			s.h.metrics.shed("full")
			return nil
		}
		s.forgetLocked(victim)
		_ = victim.Close()
		s.h.metrics.shed("idle_evicted")
	}
	s.conns[tc] = struct{}{}
	s.perClient[tc.client]++
	s.wg.Add(1) // under the lock, so never after close's Wait began
	return tc
}

// oldestIdle returns the connection that has waited longest for a query.
// A linear scan: there are at most MaxTCPConnections, and it runs only
// when they are all taken.
func (s *tcpServer) oldestIdle() *tcpConn {
	var best *tcpConn
	var bestSince int64
	for c := range s.conns {
		if since := c.idleSince.Load(); since != 0 && (best == nil || since < bestSince) {
			best, bestSince = c, since
		}
	}
	return best
}

func (s *tcpServer) forgetLocked(c *tcpConn) {
	if _, ok := s.conns[c]; !ok {
		return
	}
	delete(s.conns, c)
	if s.perClient[c.client]--; s.perClient[c.client] <= 0 {
		delete(s.perClient, c.client)
	}
}

func (s *tcpServer) forget(c *tcpConn) {
	s.mu.Lock()
	s.forgetLocked(c)
	s.mu.Unlock()
}

// clientKey is the address connections are counted by: IPv4 as is, IPv6
// by /64, the least one host gets.
func clientKey(a net.Addr) netip.Addr {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.Addr{}
	}
	ip, _ := netip.AddrFromSlice(ta.IP)
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}

// serveConn answers the queries of one connection in order.
func (s *tcpServer) serveConn(c *tcpConn) {
	defer s.forget(c)
	br := bufio.NewReaderSize(c, 2048)
	w := &tcpWriter{conn: c, key: s.h.tsig, timeout: s.cfg.WriteTimeout}
	var hdr [2]byte
	for n := 0; ; n++ {
		wait := s.cfg.IdleTimeout
		switch {
		case n == 0:
			wait = s.cfg.ReadTimeout
		case n >= 2*s.cfg.MaxTCPQueries:
			s.closeGracefully(c)
			return
		case n >= s.cfg.MaxTCPQueries:
			wait = pipelineGrace
		}
		c.idleSince.Store(time.Now().UnixNano())
		_ = c.SetReadDeadline(time.Now().Add(wait))
		if _, err := io.ReadFull(br, hdr[:1]); err != nil {
			if n >= s.cfg.MaxTCPQueries && isTimeout(err) {
				s.closeGracefully(c)
			} else {
				_ = c.Close()
			}
			return
		}
		// The rest of the message must follow promptly. Until it has, the
		// connection can still be evicted: a client that sends one byte
		// and stalls is idle too.
		_ = c.SetReadDeadline(time.Now().Add(s.cfg.ReadTimeout))
		if _, err := io.ReadFull(br, hdr[1:]); err != nil {
			_ = c.Close()
			return
		}
		p := make([]byte, binary.BigEndian.Uint16(hdr[:]))
		if _, err := io.ReadFull(br, p); err != nil {
			_ = c.Close()
			return
		}
		c.idleSince.Store(0) // answering: never interrupted by eviction
		if !s.answer(w, p) {
			_ = c.Close()
			return
		}
	}
}

// answer answers one query; false means the connection must close.
func (s *tcpServer) answer(w *tcpWriter, p []byte) bool {
	r, rc, ok := intake(p)
	if !ok {
		return true // a response or a runt: ignore it, as over UDP
	}
	if r == nil {
		b, err := rejectMsg(p, rc, s.h.bufSize).Pack()
		if err == nil {
			err = w.write(b)
		}
		s.h.metrics.response(true, rc)
		return err == nil
	}
	w.status, w.mac, w.timersOnly = nil, "", false
	if t := r.IsTsig(); t != nil {
		w.key = s.h.keyFor(t.Hdr.Name) // the transfer key or an update key
		w.status, w.mac = verifyTSIG(p, w.key), t.MAC
	}
	req := NewRequest(w, r)
	req.raw = p
	if m, _, _ := s.h.respond(req); m != nil {
		s.h.write(req, m)
	}
	return w.err == nil
}

// closeGracefully sends FIN, reads what the client still sends until it
// closes too, then closes: closing with unread data would send a reset,
// and the client could lose answers it has not read yet.
func (s *tcpServer) closeGracefully(c *tcpConn) {
	if tcp, ok := c.Conn.(*net.TCPConn); ok {
		_ = tcp.CloseWrite()
		_ = c.SetReadDeadline(time.Now().Add(drainTimeout))
		_, _ = io.Copy(io.Discard, io.LimitReader(c, drainBytes))
	}
	_ = c.Close()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// close stops accepting and closes every connection; shutdown then waits
// for their goroutines.
func (s *tcpServer) close() error {
	s.mu.Lock()
	s.closed = true
	conns := make([]*tcpConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	err := s.ln.Close()
	for _, c := range conns {
		_ = c.Close()
	}
	return err
}

// tcpWriter is the dns.ResponseWriter of one TCP connection.
type tcpWriter struct {
	conn       net.Conn
	key        *TSIGKey
	timeout    time.Duration
	status     error  // TSIG verification of the current query
	mac        string // the MAC the next signed message chains on
	timersOnly bool
	err        error // the first write error; the connection is done
	buf, out   []byte
}
