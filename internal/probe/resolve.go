package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/miekg/dns"
)

// Resolution is one fresh answer for the probed name.
type Resolution struct {
	Addrs []netip.Addr
	// TTL of the answer in seconds, when the resolver can tell (-1 if not).
	TTL int
}

// Resolver resolves a host name afresh on every call: a probe that reuses
// an answer measures the cache, not the routing.
type Resolver interface {
	Resolve(ctx context.Context, host string) (Resolution, error)
}

// DNSResolver asks one DNS server directly with its own queries, A first
// and AAAA when there is no A record. Nothing is cached.
type DNSResolver struct {
	Server string // host:port
}

// NewDNSResolver takes "IP" or "IP:PORT" ("[v6]:PORT" for IPv6); the port
// defaults to 53.
func NewDNSResolver(server string) (*DNSResolver, error) {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = strings.TrimSuffix(strings.TrimPrefix(server, "["), "]")
		server = net.JoinHostPort(server, "53")
	}
	host, _, _ := net.SplitHostPort(server)
	if _, err := netip.ParseAddr(host); err != nil {
		return nil, fmt.Errorf("probe: dns server %q: want IP[:PORT]", server)
	}
	return &DNSResolver{Server: server}, nil
}

// Resolve implements Resolver.
func (r *DNSResolver) Resolve(ctx context.Context, host string) (Resolution, error) {
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		res, err := r.query(ctx, host, qtype)
		if err != nil || len(res.Addrs) > 0 {
			return res, err
		}
	}
	return Resolution{TTL: -1}, fmt.Errorf("probe: %s: no A or AAAA record", host)
}

func (r *DNSResolver) query(ctx context.Context, host string, qtype uint16) (Resolution, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(host), qtype) // a new random id each time
	m.RecursionDesired = true            // so a recursive server works too
	c := &dns.Client{Net: "udp"}
	in, _, err := c.ExchangeContext(ctx, m, r.Server)
	if err == nil && in.Truncated {
		c.Net = "tcp"
		in, _, err = c.ExchangeContext(ctx, m, r.Server)
	}
	if err != nil {
		return Resolution{TTL: -1}, fmt.Errorf("probe: dns %s: %w", r.Server, err)
	}
	if in.Rcode != dns.RcodeSuccess {
		return Resolution{TTL: -1}, fmt.Errorf("probe: dns %s: %s for %s", r.Server, dns.RcodeToString[in.Rcode], host)
	}
	res := Resolution{TTL: -1}
	for _, rr := range in.Answer {
		var ip net.IP
		switch v := rr.(type) {
		case *dns.A:
			ip = v.A
		case *dns.AAAA:
			ip = v.AAAA
		default:
			continue // CNAMEs on the way
		}
		if a, ok := netip.AddrFromSlice(ip); ok {
			res.Addrs = append(res.Addrs, a.Unmap())
			if ttl := int(rr.Header().Ttl); res.TTL < 0 || ttl < res.TTL {
				res.TTL = ttl
			}
		}
	}
	return res, nil
}

// SystemResolver uses the machine's resolver configuration (/etc/hosts,
// /etc/resolv.conf) through Go's own resolver, which keeps no answer cache,
// so each call asks the configured name servers again. A caching server
// there may still answer from its cache within the TTL; point
// --dns-server at the authoritative server to see its every decision.
type SystemResolver struct{}

// Resolve implements Resolver.
func (SystemResolver) Resolve(ctx context.Context, host string) (Resolution, error) {
	r := &net.Resolver{PreferGo: true}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return Resolution{TTL: -1}, fmt.Errorf("probe: resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return Resolution{TTL: -1}, errors.New("probe: resolve " + host + ": no address")
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = a.Unmap()
	}
	return Resolution{Addrs: out, TTL: -1}, nil
}
