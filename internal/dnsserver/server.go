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

	"github.com/prometheus/client_golang/prometheus"
)

// Server runs a Handler on UDP and TCP on one address, each through its
// own loops (udp.go, tcp.go).
type Server struct {
	cfg     Config
	handler *Handler
	rrl     *rateLimiter

	mu   sync.Mutex
	addr string
	tcp  *tcpServer
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
	if err := cfg.RRL.Validate(); err != nil {
		return nil, err
	}
	h := NewHandler(auth, cfg)
	h.metrics = newServerMetrics(reg)
	return &Server{cfg: cfg, handler: h, rrl: newRateLimiter(cfg.RRL, cfg.now), stop: make(chan struct{})}, nil
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

// Start binds the sockets and serves in the background until ctx ends or
// Shutdown is called. It returns once every socket is serving.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.tcp != nil {
		s.mu.Unlock()
		return errors.New("dnsserver: already started")
	}
	ln, udp, err := bind(ctx, s.cfg.Listen, s.cfg.UDPReaders)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	s.addr = ln.Addr().String()
	s.tcp = newTCPServer(ln, s.handler, s.cfg)
	s.udp = udp
	s.mu.Unlock()

	for _, pc := range udp {
		u := &udpServer{conn: pc, batch: newBatchConn(pc), h: s.handler, rrl: s.rrl}
		s.wg.Go(u.serve)
	}
	s.wg.Go(s.tcp.serve)
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

// Shutdown stops every listener, closes TCP connections, and waits for
// queries in flight, up to ctx.
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
		if err := tcp.close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		if tcp != nil {
			tcp.wg.Wait()
		}
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dnsserver: shutdown: %w", err)
	}
	return nil
}
