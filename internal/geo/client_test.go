package geo

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func ecs(family uint16, bits uint8, addr string) *dns.EDNS0_SUBNET {
	return &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: family, SourceNetmask: bits, Address: net.ParseIP(addr)}
}

func TestLocateClient(t *testing.T) {
	tab, err := ParseTable(strings.NewReader(`
198.51.100.0/24 EU DE
203.0.113.0/24  NA US - 40.7 -74.0
2001:db8::/32   AS JP
`))
	if err != nil {
		t.Fatal(err)
	}
	resolver := netip.MustParseAddr("192.0.2.53")
	tests := []struct {
		name      string
		loc       Locator
		ecs       *dns.EDNS0_SUBNET
		src       netip.Addr
		wantAddr  string
		wantECS   bool
		wantFound bool
		country   string
		scope     int
	}{
		{name: "no ECS: source address", loc: tab, src: netip.MustParseAddr("203.0.113.9"), wantAddr: "203.0.113.9", wantFound: true, country: "US", scope: 24},
		{name: "no ECS, source unknown: host scope", loc: tab, src: resolver, wantAddr: "192.0.2.53", scope: 32},
		{name: "ECS wins over source", loc: tab, ecs: ecs(1, 24, "198.51.100.0"), src: resolver, wantAddr: "198.51.100.0", wantECS: true, wantFound: true, country: "DE", scope: 24},
		{name: "ECS bits past the source prefix are cleared", loc: tab, ecs: ecs(1, 16, "198.51.100.7"), src: resolver, wantAddr: "198.51.0.0", wantECS: true, scope: 16},
		{name: "ECS miss in a table: scope is the ECS source prefix", loc: tab, ecs: ecs(1, 20, "10.9.0.0"), src: resolver, wantAddr: "10.9.0.0", wantECS: true, scope: 20},
		{name: "ECS IPv6", loc: tab, ecs: ecs(2, 56, "2001:db8:aa:bb00::"), src: resolver, wantAddr: "2001:db8:aa:bb00::", wantECS: true, wantFound: true, country: "JP", scope: 32},
		{name: "ECS source 0: source address, scope 0", loc: tab, ecs: ecs(1, 0, "0.0.0.0"), src: netip.MustParseAddr("203.0.113.9"), wantAddr: "203.0.113.9", wantFound: true, country: "US", scope: 0},
		{name: "ECS bad family: source address", loc: tab, ecs: ecs(3, 24, "198.51.100.0"), src: netip.MustParseAddr("203.0.113.9"), wantAddr: "203.0.113.9", wantFound: true, country: "US", scope: 24},
		{name: "ECS IPv4 prefix too long: source address", loc: tab, ecs: ecs(1, 33, "198.51.100.0"), src: resolver, wantAddr: "192.0.2.53", scope: 32},
		{name: "mapped source is unmapped", loc: tab, src: netip.MustParseAddr("::ffff:198.51.100.1"), wantAddr: "198.51.100.1", wantFound: true, country: "DE", scope: 24},
		{name: "no locator", ecs: ecs(1, 24, "198.51.100.0"), src: resolver, wantAddr: "198.51.100.0", wantECS: true, scope: 24},
		{name: "no address at all", loc: tab, wantAddr: "invalid IP", scope: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := LocateClient(tt.loc, tt.ecs, tt.src)
			if c.Addr.String() != tt.wantAddr || c.ECS != tt.wantECS || c.Found != tt.wantFound || c.Location.Country != tt.country {
				t.Errorf("LocateClient = %+v; want addr %s ecs %v found %v country %q", c, tt.wantAddr, tt.wantECS, tt.wantFound, tt.country)
			}
			if c.ScopeBits() != tt.scope {
				t.Errorf("ScopeBits = %d, want %d (network %s)", c.ScopeBits(), tt.scope, c.Network)
			}
		})
	}
}

func TestSubnetOption(t *testing.T) {
	if SubnetOption(nil) != nil {
		t.Error("nil OPT gave an option")
	}
	opt := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
	opt.Option = append(opt.Option, &dns.EDNS0_NSID{Code: dns.EDNS0NSID})
	if SubnetOption(opt) != nil {
		t.Error("OPT without ECS gave an option")
	}
	want := ecs(1, 24, "198.51.100.0")
	opt.Option = append(opt.Option, want)
	if SubnetOption(opt) != want {
		t.Error("ECS option not found")
	}
}

func TestLocatorFunc(t *testing.T) {
	var l Locator = LocatorFunc(func(ip netip.Addr) (Location, netip.Prefix, bool) {
		return Location{Country: "FR"}, netip.PrefixFrom(ip, 8), true
	})
	c := LocateClient(l, nil, netip.MustParseAddr("192.0.2.1"))
	if c.Location.Country != "FR" || c.ScopeBits() != 8 {
		t.Errorf("got %+v", c)
	}
}
