package dnsserver

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
)

// buildZone turns a zone's stored records into answer data. It fails on a
// record it cannot serve, so callers can check a batch before committing it.
// prev, the zone's previous version or nil, lends the records it converted:
// the store replaces an endpoint rather than change it, so an endpoint seen
// before converts to the same records.
func buildZone(sz store.Zone, o ZoneOptions, prev *zone) (*zone, error) {
	origin := dns.Fqdn(strings.ToLower(sz.Name))
	soa, apexNS := o.apex(origin, sz.Serial)
	neg := *soa
	neg.Hdr.Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	z := &zone{origin: origin, soa: soa, negSOA: []dns.RR{&neg}, nodes: make(map[string]*node, len(sz.Records)),
		converted: make(map[*endpoint.Endpoint][]dns.RR, len(sz.Records))}
	apex := z.ensure(origin)

	for _, e := range sz.Records {
		var owner string
		rrs, ok := prev.convertedRRs(e)
		if ok {
			owner = rrs[0].Header().Name
		} else {
			var err error
			if owner, rrs, err = recordRRs(e, o); err != nil {
				return nil, err
			}
		}
		if !dns.IsSubDomain(origin, owner) {
			return nil, fmt.Errorf("%s is not in zone %s", e.DNSName, sz.Name)
		}
		z.converted[e] = rrs
		n := z.ensure(owner)
		rs := n.get(rrs[0].Header().Rrtype)
		if rs == nil {
			rs = &rrset{rrtype: rrs[0].Header().Rrtype}
			n.rrsets = append(n.rrsets, rs)
		}
		rs.sets = append(rs.sets, RRSet{SetIdentifier: e.SetIdentifier, ProviderSpecific: e.ProviderSpecific, RRs: rrs})
		z.nRecords += len(rrs)
	}
	if apex.get(dns.TypeNS) == nil {
		// Stored apex NS records, when present, replace the synthesized ones:
		// somebody asked for them explicitly.
		apex.rrsets = append(apex.rrsets, &rrset{rrtype: dns.TypeNS, sets: []RRSet{{RRs: apexNS}}})
	}
	apex.rrsets = append(apex.rrsets, &rrset{rrtype: dns.TypeSOA, sets: []RRSet{{RRs: []dns.RR{soa}}}})
	for name, n := range z.nodes {
		z.finish(name, n)
	}
	for _, n := range z.nodes {
		for _, rs := range n.rrsets {
			rs.extra = z.additional(rs.all)
		}
	}
	return z, nil
}

func (z *zone) convertedRRs(e *endpoint.Endpoint) ([]dns.RR, bool) {
	if z == nil {
		return nil, false
	}
	rrs, ok := z.converted[e]
	return rrs, ok
}

// recordRRs converts one stored endpoint, with the default TTL filled in.
func recordRRs(e *endpoint.Endpoint, o ZoneOptions) (string, []dns.RR, error) {
	owner := dns.Fqdn(strings.ToLower(e.DNSName))
	if _, ok := dns.IsDomainName(owner); !ok || strings.ContainsAny(owner, " \t") {
		return "", nil, fmt.Errorf("%s: not a domain name", e.Key())
	}
	ttl := uint32(min(max(e.RecordTTL, 0), endpoint.MaxTTL))
	if ttl == 0 {
		ttl = o.DefaultTTL
	}
	rrs, err := toRRs(e, owner, ttl)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", e.Key(), err)
	}
	if len(rrs) == 0 {
		return "", nil, fmt.Errorf("%s: no targets", e.Key())
	}
	return owner, rrs, nil
}

// ensure returns the node for owner, creating it and every empty
// non-terminal between it and the apex.
func (z *zone) ensure(owner string) *node {
	n := z.nodes[owner]
	if n != nil {
		return n
	}
	n = &node{}
	z.nodes[owner] = n
	if owner != z.origin {
		if next, end := dns.NextLabel(owner, 0); !end {
			z.ensure(owner[next:])
		}
	}
	return n
}

// finish computes a node's unions and shortcuts once all records are in.
func (z *zone) finish(name string, n *node) {
	slices.SortFunc(n.rrsets, func(a, b *rrset) int { return int(a.rrtype) - int(b.rrtype) })
	for _, rs := range n.rrsets {
		// The store hands records over in no order; answers must not vary.
		slices.SortFunc(rs.sets, func(a, b RRSet) int { return strings.Compare(a.SetIdentifier, b.SetIdentifier) })
		rs.all = union(rs.sets)
		switch {
		case len(rs.sets) == 1 && rs.sets[0].SetIdentifier == "":
			rs.sets = nil // no choice to make: no Selector call
		case slices.ContainsFunc(rs.sets, func(s RRSet) bool { return hasRouting(s.ProviderSpecific) }):
			rs.routed = &Routed{Name: name, Type: rs.rrtype, Sets: rs.sets}
		}
	}
	if name != z.origin {
		// A CNAME at the apex would hide the SOA and NS; it is ignored
		// there rather than served (RFC 1912 section 2.4).
		n.cname = n.get(dns.TypeCNAME)
		n.cut = n.get(dns.TypeNS)
		z.hasCuts = z.hasCuts || n.cut != nil
	}
	if strings.HasPrefix(name, "*.") {
		z.hasWild = true
		z.nodes[name[2:]].wild = n
	}
}

// union merges the records of every set identifier into one RRset, without
// duplicates, all with the lowest TTL among them (RFC 2181 section 5.2: the
// records of an RRset share one TTL).
func union(sets []RRSet) []dns.RR {
	if len(sets) == 1 {
		return slices.Clip(sets[0].RRs)
	}
	var out []dns.RR
	ttl := uint32(endpoint.MaxTTL)
	for _, s := range sets {
		for _, rr := range s.RRs {
			ttl = min(ttl, rr.Header().Ttl)
			if !slices.ContainsFunc(out, func(o dns.RR) bool { return dns.IsDuplicate(o, rr) }) {
				out = append(out, rr)
			}
		}
	}
	for i, rr := range out {
		if rr.Header().Ttl != ttl {
			c := dns.Copy(rr)
			c.Header().Ttl = ttl
			out[i] = c
		}
	}
	return slices.Clip(out)
}
