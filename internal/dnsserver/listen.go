package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
)

// bindAttempts bounds the retries when port 0 gives a TCP port whose UDP
// twin is taken.
const bindAttempts = 10

// bind opens the TCP listener and readers UDP sockets on the same port.
func bind(ctx context.Context, addr string, readers int) (net.Listener, []*net.UDPConn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dnsserver: listen address %q: %w", addr, err)
	}
	var lastErr error
	for range bindAttempts {
		var lc net.ListenConfig
		tcp, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("dnsserver: listen tcp %s: %w", addr, err)
		}
		_, bound, _ := net.SplitHostPort(tcp.Addr().String())
		udp, err := listenUDP(ctx, net.JoinHostPort(host, bound), readers)
		if err == nil {
			return tcp, udp, nil
		}
		_ = tcp.Close()
		lastErr = err
		if port != "0" || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	return nil, nil, fmt.Errorf("dnsserver: listen udp %s: %w", addr, lastErr)
}

// listenUDP opens n sockets on addr. With more than one, each is bound with
// SO_REUSEPORT and the kernel spreads queries across them, so n serve loops
// read in parallel instead of one loop feeding every core.
func listenUDP(ctx context.Context, addr string, n int) ([]*net.UDPConn, error) {
	lc := net.ListenConfig{Control: reusePort}
	if n <= 1 || !reusePortSupported {
		n, lc = 1, net.ListenConfig{}
	}
	out := make([]*net.UDPConn, 0, n)
	for range n {
		pc, err := lc.ListenPacket(ctx, "udp", addr)
		if err == nil {
			out = append(out, pc.(*net.UDPConn)) // always, for network "udp"
			continue
		}
		for _, c := range out {
			_ = c.Close()
		}
		return nil, err
	}
	return out, nil
}
