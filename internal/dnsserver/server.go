// Package dnsserver is exodns's embedded authoritative DNS server: it
// answers, over UDP and TCP, from the records the embedded provider writes,
// kept durable by the store sub-package.
package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/netutil"
)

// Server runs a Handler on UDP and TCP on one address: TCP through
// dns.Server, UDP through its own loops (udp.go), for speed.
type Server struct {
	cfg     Config
	handler *Handler

	mu   sync.Mutex
	addr string
	tcp  *dns.Server
	udp  []*net.UDPConn
	wg   sync.WaitGroup
	stop chan struct{} // closed by the first Shutdown
	once sync.Once
}

// New returns a server answering from auth. reg may be nil for no metrics.
func New(auth *Authority, cfg Config, reg prometheus.Registerer) (*Server, error) {
	if auth == nil {
		return nil, errors.New("dnsserver: no authority")
	}
	cfg = cfg.withDefaults()
	h := NewHandler(auth, cfg)
	h.metrics = newServerMetrics(reg)
	return &Server{cfg: cfg, handler: h, stop: make(chan struct{})}, nil
}

// Handler returns the handler the server runs.
func (s *Server) Handler() *Handler { return s.handler }

// Addr returns the bound host:port, the same for UDP and TCP, once Start
// has returned.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// startTimeout bounds the wait for dns.Server to report that it serves.
const startTimeout = 5 * time.Second

// Start binds the sockets and serves in the background until ctx ends or
// Shutdown is called. It returns once every socket is serving.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.tcp != nil {
		s.mu.Unlock()
		return errors.New("dnsserver: already started")
	}
	tcp, udp, err := bind(ctx, s.cfg.Listen, s.cfg.UDPReaders)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	s.addr = tcp.Addr().String()
	srv := s.dnsServer(netutil.LimitListener(tcp, s.cfg.MaxTCPConnections))
	s.tcp = srv
	s.udp = udp
	s.mu.Unlock()

	for _, pc := range udp {
		u := &udpServer{conn: pc, h: s.handler}
		s.wg.Go(u.serve)
	}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	s.wg.Go(func() {
		if err := srv.ActivateAndServe(); err != nil {
			s.cfg.Logger.Error("dnsserver: serve tcp", "err", err)
		}
	})
	select {
	case <-started:
	case <-time.After(startTimeout):
		_ = s.Shutdown(context.Background())
		return fmt.Errorf("dnsserver: tcp listener on %s did not start in %s", s.addr, startTimeout)
	}
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Shutdown(context.Background())
		case <-s.stop:
		}
	}()
	s.cfg.Logger.Info("dnsserver: serving", "addr", s.addr, "udp_sockets", len(udp))
	return nil
}

func (s *Server) dnsServer(l net.Listener) *dns.Server {
	srv := &dns.Server{
		Listener: l, Handler: s.handler,
		ReadTimeout: s.cfg.ReadTimeout, WriteTimeout: s.cfg.WriteTimeout,
		IdleTimeout: func() time.Duration { return s.cfg.IdleTimeout }, MaxTCPQueries: s.cfg.MaxTCPQueries,
		MsgAcceptFunc: accept,
	}
	if k := s.cfg.TSIG; k != nil {
		srv.TsigSecret = map[string]string{k.Name: k.Secret}
	}
	return srv
}

// accept screens a query by its header before it is parsed. Rejections are
// answered with FORMERR or NOTIMP (by dns.Server over TCP, by udpServer
// over UDP) and never reach the handler.
func accept(dh dns.Header) dns.MsgAcceptAction {
	const qr = 1 << 15
	switch {
	case dh.Bits&qr != 0:
		return dns.MsgIgnore // a response: answering could start a loop
	case int(dh.Bits>>11)&0xF != dns.OpcodeQuery:
		return dns.MsgRejectNotImplemented
	case dh.Qdcount != 1, dh.Ancount > 0, dh.Nscount > 1, dh.Arcount > 2:
		// One question; IXFR carries one SOA in authority; additional holds
		// at most OPT and TSIG.
		return dns.MsgReject
	}
	return dns.MsgAccept
}

// Shutdown stops every listener and waits for queries in flight, up to ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.once.Do(func() { close(s.stop) })
	s.mu.Lock()
	tcp, udp := s.tcp, s.udp
	s.udp = nil
	s.mu.Unlock()
	var errs []error
	for _, pc := range udp {
		// Closing ends the read loop; a query being answered finishes first.
		if err := pc.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if tcp != nil {
		if err := tcp.ShutdownContext(ctx); err != nil && !isNotStarted(err) {
			errs = append(errs, err)
		}
	}
	s.wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dnsserver: shutdown: %w", err)
	}
	return nil
}

// isNotStarted matches miekg/dns's error for a second Shutdown, which the
// context watcher and an explicit call can both make.
func isNotStarted(err error) bool {
	return err != nil && err.Error() == "dns: server not started"
}
