package dnsserver

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Response rate limiting (RRL), as BIND and Knot do it: a spoofed-source
// flood turns an authoritative server into an amplifier aimed at the
// spoofed address, so identical responses to one client prefix are limited
// to a rate. Over the rate, every Slip-th response goes out truncated (TC)
// so a real client behind that prefix retries over TCP, where spoofing is
// impossible, and the rest are dropped. Only UDP is limited.

// RRLConfig configures response rate limiting.
type RRLConfig struct {
	// ResponsesPerSecond is how many identical responses one client
	// prefix gets per second; 0 turns RRL off.
	ResponsesPerSecond int
	// Slip: every Slip-th limited response is sent truncated, the others
	// dropped. 0 drops them all; 1 truncates them all.
	Slip int
	// IPv4PrefixLen and IPv6PrefixLen group client addresses; default 24
	// and 56.
	IPv4PrefixLen, IPv6PrefixLen int
	// Window is how many seconds of excess a prefix is held to account
	// for: a flood stays limited until it has been quiet that long.
	// Default 15.
	Window int
}

// DefaultRRLConfig is what the command line turns on: BIND's usual
// settings.
func DefaultRRLConfig() RRLConfig {
	return RRLConfig{ResponsesPerSecond: 5, Slip: 2, IPv4PrefixLen: 24, IPv6PrefixLen: 56, Window: 15}
}

func (c RRLConfig) withDefaults() RRLConfig {
	if c.IPv4PrefixLen <= 0 {
		c.IPv4PrefixLen = 24
	}
	if c.IPv6PrefixLen <= 0 {
		c.IPv6PrefixLen = 56
	}
	if c.Window <= 0 {
		c.Window = 15
	}
	return c
}

// Validate reports settings that make no sense.
func (c RRLConfig) Validate() error {
	switch {
	case c.ResponsesPerSecond < 0 || c.Slip < 0 || c.Window < 0:
		return fmt.Errorf("dnsserver: rrl: rate, slip and window must not be negative")
	case c.ResponsesPerSecond > 1e9 || c.Window > 3600:
		return fmt.Errorf("dnsserver: rrl: at most 1e9 responses per second and a window of an hour")
	case c.IPv4PrefixLen < 0 || c.IPv4PrefixLen > 32 || c.IPv6PrefixLen < 0 || c.IPv6PrefixLen > 128:
		return fmt.Errorf("dnsserver: rrl: prefix lengths must be 0-32 (IPv4) and 0-128 (IPv6)")
	}
	return nil
}

type rrlAction uint8

const (
	rrlAllow rrlAction = iota
	rrlSlip
	rrlDrop
)

// rrlTableSize bounds the memory: 32k entries of 32 bytes, two per set,
// whatever the flood. A new key takes the older entry of its set, so a
// flood of random prefixes churns the table but cannot grow it.
const (
	rrlTableSize = 1 << 15
	rrlLocks     = 256
)

type rrlEntry struct {
	key     uint64
	last    int64 // ms since the limiter started; 0 = empty
	balance int64 // thousandths of a response: credit, or debt when negative
	limited uint32
}

// rateLimiter is the RRL table. Each set of entries is guarded by one of
// rrlLocks striped mutexes, uncontended in practice, so a check costs a
// multiply-and-shift hash, a clock read (vDSO), a lock and a few loads.
type rateLimiter struct {
	cfg     RRLConfig
	seed    maphash.Seed
	keySeed uint64
	mask4   uint32
	mask6a  uint64
	mask6b  uint64
	table   []rrlEntry
	locks   [rrlLocks]sync.Mutex
	now     func() time.Time
	start   time.Time
}

func newRateLimiter(cfg RRLConfig, now func() time.Time) *rateLimiter {
	if cfg.ResponsesPerSecond <= 0 {
		return nil
	}
	cfg = cfg.withDefaults()
	l := &rateLimiter{cfg: cfg, seed: maphash.MakeSeed(), table: make([]rrlEntry, rrlTableSize), now: now, start: now()}
	l.keySeed = maphash.Comparable(l.seed, 0)
	l.mask4 = ^uint32(0) << (32 - cfg.IPv4PrefixLen)
	if cfg.IPv4PrefixLen == 0 {
		l.mask4 = 0
	}
	l.mask6a, l.mask6b = prefixMask(cfg.IPv6PrefixLen), prefixMask(cfg.IPv6PrefixLen-64)
	return l
}

// prefixMask is the mask of the top bits (0..64) of a uint64.
func prefixMask(bits int) uint64 {
	switch {
	case bits <= 0:
		return 0
	case bits >= 64:
		return ^uint64(0)
	}
	return ^uint64(0) << (64 - bits)
}

// sinceStart is the limiter's time in ms, never 0 (0 marks an empty entry).
func (l *rateLimiter) sinceStart() int64 { return l.now().Sub(l.start).Milliseconds() + 1 }

// check accounts one response with identity id to ip and says what to do.
func (l *rateLimiter) check(ip netip.Addr, id uint64) rrlAction {
	key := l.key(ip, id)
	set := int(key % (rrlTableSize / 2))
	now := l.sinceStart()
	rate := int64(l.cfg.ResponsesPerSecond)

	mu := &l.locks[set%rrlLocks]
	mu.Lock()
	defer mu.Unlock()
	e0, e1 := &l.table[2*set], &l.table[2*set+1]
	var e *rrlEntry
	switch {
	case e0.last != 0 && e0.key == key:
		e = e0
	case e1.last != 0 && e1.key == key:
		e = e1
	default:
		e = e0
		if e1.last < e0.last {
			e = e1
		}
		*e = rrlEntry{key: key, last: now, balance: rate * 1000}
	}
	if elapsed := now - e.last; elapsed > 0 {
		e.balance = min(e.balance+elapsed*rate, rate*1000)
		e.last = now
	}
	e.balance = max(e.balance-1000, -int64(l.cfg.Window)*rate*1000)
	if e.balance >= 0 {
		return rrlAllow
	}
	e.limited++
	if l.cfg.Slip > 0 && e.limited%uint32(l.cfg.Slip) == 0 {
		return rrlSlip
	}
	return rrlDrop
}

// key mixes the client's prefix into a response identity, with a
// per-start seed so that a client cannot aim at collisions.
func (l *rateLimiter) key(ip netip.Addr, id uint64) uint64 {
	var hi, lo uint64
	if ip.Is4() || ip.Is4In6() {
		a := ip.Unmap().As4()
		hi = uint64(binary.BigEndian.Uint32(a[:])&l.mask4) | 1<<32 // the family is part of the key
	} else {
		a := ip.As16()
		hi, lo = binary.BigEndian.Uint64(a[:8])&l.mask6a, binary.BigEndian.Uint64(a[8:])&l.mask6b
	}
	return mix64(mix64(mix64(id^l.keySeed)^hi) ^ lo)
}

// mix64 is the finalizer of SplitMix64: a cheap, well-spread bijection.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// responseID says which responses count as identical (BIND's grouping):
// answers by name and type; NXDOMAIN and NODATA by zone, so that a flood
// of random names under one zone counts as one stream; referrals by the
// delegation; errors by rcode alone.
func (l *rateLimiter) responseID(req *Request, m *dns.Msg) uint64 {
	var buf [256 + 4]byte
	b := buf[:0]
	switch {
	case m.Rcode == dns.RcodeSuccess && len(m.Answer) > 0:
		b = append(append(b, 'a'), req.lname...)
		b = binary.BigEndian.AppendUint16(b, req.qtype)
	case (m.Rcode == dns.RcodeSuccess || m.Rcode == dns.RcodeNameError) && len(m.Ns) > 0:
		kind := byte('n')
		if m.Ns[0].Header().Rrtype == dns.TypeNS {
			kind = 'r'
		}
		b = append(append(b, kind), m.Ns[0].Header().Name...)
	default:
		b = binary.BigEndian.AppendUint16(append(b, 'e'), uint16(m.Rcode))
	}
	return maphash.Bytes(l.seed, b)
}

// errorID is the identity of an error answered before parsing.
func (l *rateLimiter) errorID(rcode int) uint64 {
	return maphash.Bytes(l.seed, binary.BigEndian.AppendUint16([]byte{'e'}, uint16(rcode)))
}

// exempt reports requests RRL lets by: a client that returned our server
// cookie, or one signing with our key, is not a spoofed source.
func (req *Request) rrlExempt() bool { return req.cookie.valid || req.tsig == tsigValid }

// slipReply is what a limited response is replaced with when it slips:
// BADCOOKIE with a fresh server cookie for a client that sent a cookie
// (its retry then carries the cookie and is let by, RFC 7873 section
// 5.2.3), else an empty truncated answer that sends it to TCP.
func (h *Handler) slipReply(req *Request) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req.Req)
	if req.cookie.present {
		m.Rcode = dns.RcodeBadCookie
		return m
	}
	m.Truncated = true
	return m
}
