package geo

import (
	"net/netip"

	"github.com/miekg/dns"
)

// Client is where one query comes from, worked out once per query by
// LocateClient and handed to GSLB selection.
type Client struct {
	// Addr is the address that was located: the EDNS Client Subnet address
	// when the query carried one, else the query's source address.
	Addr netip.Addr
	// ECS reports whether Addr came from an EDNS Client Subnet option.
	ECS bool
	// Location is valid when Found.
	Location Location
	Found    bool
	// Network is what an answer tailored to this client holds for: the
	// Locator's network, else the ECS source prefix, else Addr as a host
	// prefix. Its length is the ECS scope of such an answer.
	Network netip.Prefix
	// NoScope is set when the client asked that no address be used (ECS
	// source prefix length 0, RFC 7871 section 7.1.2): an answer must then
	// suit everyone, so its scope is 0.
	NoScope bool
}

// ScopeBits is the ECS scope prefix length of an answer tailored to this
// client's location (RFC 7871 section 7.2.1: the number of leading bits of
// the address the answer depended on).
func (c Client) ScopeBits() int {
	if c.NoScope || !c.Network.IsValid() {
		return 0
	}
	return c.Network.Bits()
}

// SubnetOption returns the query's EDNS Client Subnet option, or nil.
func SubnetOption(opt *dns.OPT) *dns.EDNS0_SUBNET {
	if opt == nil {
		return nil
	}
	for _, o := range opt.Option {
		if s, ok := o.(*dns.EDNS0_SUBNET); ok {
			return s
		}
	}
	return nil
}

// SubnetPrefix reads an ECS option into the client subnet it names, with
// bits past the source prefix length cleared (RFC 7871 section 6 requires
// them to be zero; a resolver that leaks them must not get a more precise
// answer than it asked for). ok is false for a family other than IPv4 (1)
// or IPv6 (2), or a source prefix longer than the family allows: the
// server should answer FORMERR (section 7.1.1), and a Locator then falls
// back to the source address.
func SubnetPrefix(s *dns.EDNS0_SUBNET) (netip.Prefix, bool) {
	if s == nil {
		return netip.Prefix{}, false
	}
	var a netip.Addr
	switch s.Family {
	case 1:
		if s.SourceNetmask > 32 {
			return netip.Prefix{}, false
		}
		if ip4 := s.Address.To4(); ip4 != nil {
			a = netip.AddrFrom4([4]byte(ip4))
		} else {
			a = netip.IPv4Unspecified()
		}
	case 2:
		if s.SourceNetmask > 128 {
			return netip.Prefix{}, false
		}
		if ip16 := s.Address.To16(); ip16 != nil {
			a = netip.AddrFrom16([16]byte(ip16))
		} else {
			a = netip.IPv6Unspecified()
		}
	default:
		return netip.Prefix{}, false
	}
	p, err := a.Prefix(int(s.SourceNetmask))
	if err != nil {
		return netip.Prefix{}, false
	}
	return p, true
}

// LocateClient applies the client-location rule: the EDNS Client Subnet
// address when the query carries a valid option, otherwise the query's
// source address (for a resolver without ECS, that is the resolver: as
// good a guess as any, and what Route 53 does). l may be nil (no
// database): the client is then never found.
//
// An ECS option with source prefix length 0 is the resolver asking that no
// client address be used; the source address is located as without ECS,
// and NoScope makes the answer's scope 0 so it is cached for everyone.
func LocateClient(l Locator, ecs *dns.EDNS0_SUBNET, src netip.Addr) Client {
	c := Client{Addr: src.Unmap().WithZone("")}
	if sub, ok := SubnetPrefix(ecs); ok {
		if sub.Bits() == 0 {
			c.NoScope = true
		} else {
			c.ECS = true
			c.Addr = sub.Addr().Unmap()
			c.Network = sub
			if sub.Addr().Is4In6() && sub.Bits() >= 96 {
				c.Network = netip.PrefixFrom(c.Addr, sub.Bits()-96)
			}
		}
	}
	if !c.Network.IsValid() && c.Addr.IsValid() {
		c.Network = netip.PrefixFrom(c.Addr, c.Addr.BitLen())
	}
	if l == nil || !c.Addr.IsValid() {
		return c
	}
	loc, network, found := l.Locate(c.Addr)
	c.Location, c.Found = loc, found
	if network.IsValid() && network.Addr().BitLen() == c.Addr.BitLen() {
		c.Network = network
	}
	return c
}
