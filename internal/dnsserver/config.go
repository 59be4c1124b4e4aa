package dnsserver

import (
	"log/slog"
	"net/netip"
	"runtime"
	"time"
)

// DefaultListen is where the server listens unless told otherwise: loopback
// and an unprivileged port, so a first run exposes nothing.
const DefaultListen = "127.0.0.1:5353"

// Config holds the server's settings. The zero value is usable.
type Config struct {
	// Listen is host:port for both UDP and TCP. Port 0 picks a free port,
	// the same for both; Server.Addr reports it.
	Listen string
	// TSIG, when set, is the key zone transfers must be signed with.
	// Without it, AXFR and IXFR are always refused.
	TSIG *TSIGKey
	// UpdateKeys may send RFC 2136 updates, each to its subtrees
	// (update.go). Without any, UPDATE is refused.
	UpdateKeys []UpdateKey
	// Selector chooses among records with set identifiers; nil serves
	// their union.
	Selector Selector
	// EDNSBufferSize is the UDP payload size we advertise and the most we
	// send over UDP; 1232 (DNS flag day 2020) avoids IP fragmentation.
	EDNSBufferSize uint16
	// UDPReaders is how many UDP sockets share the port (SO_REUSEPORT),
	// each with its own read loop, so the kernel spreads queries over
	// cores. Default half of GOMAXPROCS, at least one (defaultUDPReaders).
	UDPReaders int
	// ReadTimeout bounds the wait for a TCP query; IdleTimeout the wait for
	// the next query on an open TCP connection; WriteTimeout a write.
	ReadTimeout, IdleTimeout, WriteTimeout time.Duration
	// MaxTCPConnections caps open TCP connections, so a flood of idle ones
	// cannot exhaust file descriptors or memory. When it is reached, the
	// connection idle longest makes room for a new one (RFC 7766 section
	// 6.2.3).
	MaxTCPConnections int
	// MaxTCPConnectionsPerClient caps the connections of one client
	// address (one /64 for IPv6), so one client cannot take them all.
	MaxTCPConnectionsPerClient int
	// MaxTCPQueries caps queries per TCP connection. Queries the client
	// has already sent when the cap is reached are still answered; then
	// the connection is closed cleanly.
	MaxTCPQueries int
	// RRsetOrder is the order of records within an RRset in answers.
	RRsetOrder RRsetOrder
	// CookieSecret is the 16-byte SipHash key of server cookies (RFC
	// 9018). Servers behind one anycast address should share it. Empty
	// means a random secret per start.
	CookieSecret []byte
	// NotifyAllow lists who may send NOTIFY; a NOTIFY signed with the
	// TSIG key is accepted from anywhere.
	NotifyAllow []netip.Prefix
	// OnNotify, if set, is called for every accepted NOTIFY, on the
	// serving goroutine: it must return quickly (queue the work).
	OnNotify func(Notify)
	// RRL is response rate limiting for UDP; the zero value is off.
	RRL RRLConfig
	// Logger receives start, stop and write errors; nil discards them.
	Logger *slog.Logger

	now func() time.Time // the clock; tests set it
}

// Defaults for Config.
const (
	DefaultEDNSBufferSize = 1232
	defaultReadTimeout    = 2 * time.Second
	defaultIdleTimeout    = 8 * time.Second
	defaultWriteTimeout   = 2 * time.Second
	defaultMaxTCPConns    = 256
	defaultMaxTCPPerIP    = 16
	defaultMaxTCPQueries  = 128
	// udpReadBuffer is the largest query read over UDP; real queries,
	// even signed ones, are far smaller.
	udpReadBuffer = 4096
)

// defaultUDPReaders is the number of UDP sockets for procs cores: half,
// rounded up. Each loop sleeps when its socket is empty and is woken for
// the next batch, and on a VM a sleep and a wake-up cost several times
// an answer; fewer loops make larger batches, so fewer of both per query.
// On 2 cores under dnsperf, one loop took 0.5-0.9 us less CPU per query
// than two (6.6 against 7.3 us, 0.08 against 0.12 context switches and
// 0.42 against 0.9 system calls per query) at the same queries/s. A loop
// answers 100k+ queries/s; a server that needs more sets UDPReaders.
func defaultUDPReaders(procs int) int {
	return max(1, (procs+1)/2)
}

func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.EDNSBufferSize < 512 {
		c.EDNSBufferSize = DefaultEDNSBufferSize
	}
	if c.UDPReaders <= 0 {
		c.UDPReaders = defaultUDPReaders(runtime.GOMAXPROCS(0))
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = defaultReadTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = defaultIdleTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = defaultWriteTimeout
	}
	if c.MaxTCPConnections <= 0 {
		c.MaxTCPConnections = defaultMaxTCPConns
	}
	if c.MaxTCPConnectionsPerClient <= 0 {
		c.MaxTCPConnectionsPerClient = min(defaultMaxTCPPerIP, c.MaxTCPConnections)
	}
	if c.RRsetOrder == "" {
		c.RRsetOrder = DefaultRRsetOrder
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.RRL = c.RRL.withDefaults()
	if c.MaxTCPQueries <= 0 {
		c.MaxTCPQueries = defaultMaxTCPQueries
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
