package dnsserver

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/geo"
)

// ZoneOptions shape the synthesized SOA and NS of every zone, and the TTL of
// records that have none.
type ZoneOptions struct {
	// NameServers are the apex NS targets of every zone; empty means
	// ns1.<zone>. The first one is the SOA MNAME.
	NameServers []string
	// Hostmaster is the SOA RNAME as a name (hostmaster.example.com); empty
	// means hostmaster.<zone>.
	Hostmaster string
	// DefaultTTL answers records stored with TTL 0 ("not configured").
	DefaultTTL uint32
	// NegativeTTL is the SOA MINIMUM, how long resolvers cache NXDOMAIN and
	// NODATA (RFC 2308). It is short because records here change often.
	NegativeTTL uint32
	// Refresh, Retry and Expire are the SOA timers secondaries use.
	Refresh, Retry, Expire uint32
	// Regions place the aws-region values of routed records; nil means
	// geo.BuiltinRegions. A record whose routing cannot be read is refused.
	Regions geo.Regions
}

// Defaults for ZoneOptions.
const (
	DefaultTTL         = 300
	DefaultNegativeTTL = 60
	defaultRefresh     = 3600
	defaultRetry       = 600
	defaultExpire      = 86400
)

func (o ZoneOptions) withDefaults() (ZoneOptions, error) {
	if o.DefaultTTL == 0 {
		o.DefaultTTL = DefaultTTL
	}
	if o.Regions == nil {
		o.Regions = geo.BuiltinRegions()
	}
	if o.NegativeTTL == 0 {
		o.NegativeTTL = DefaultNegativeTTL
	}
	if o.Refresh == 0 {
		o.Refresh = defaultRefresh
	}
	if o.Retry == 0 {
		o.Retry = defaultRetry
	}
	if o.Expire == 0 {
		o.Expire = defaultExpire
	}
	ns := make([]string, 0, len(o.NameServers))
	for _, n := range o.NameServers {
		h, err := hostName(strings.TrimSpace(n))
		if err != nil {
			return o, fmt.Errorf("dnsserver: name server %q: %w", n, err)
		}
		ns = append(ns, h)
	}
	o.NameServers = ns
	if o.Hostmaster != "" {
		h, err := hostName(o.Hostmaster)
		if err != nil {
			return o, fmt.Errorf("dnsserver: hostmaster %q: %w", o.Hostmaster, err)
		}
		o.Hostmaster = h
	}
	return o, nil
}

// apex returns the SOA and NS records synthesized for a zone.
func (o ZoneOptions) apex(origin string, serial uint32) (*dns.SOA, []dns.RR) {
	names := o.NameServers
	if len(names) == 0 {
		names = []string{"ns1." + origin}
	}
	mbox := o.Hostmaster
	if mbox == "" {
		mbox = "hostmaster." + origin
	}
	soa := &dns.SOA{
		Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: o.DefaultTTL},
		Ns:  names[0], Mbox: mbox, Serial: serial,
		Refresh: o.Refresh, Retry: o.Retry, Expire: o.Expire, Minttl: o.NegativeTTL,
	}
	ns := make([]dns.RR, len(names))
	for i, n := range names {
		ns[i] = &dns.NS{Hdr: dns.RR_Header{Name: origin, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: o.DefaultTTL}, Ns: n}
	}
	return soa, ns
}
