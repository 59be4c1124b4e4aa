package dnsserver

import (
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
)

// Peers: in a multi-cluster GSLB every cluster's exodns is the primary for
// the records its own sources produce, and takes the other clusters'
// records from them by zone transfer (internal/peering). The server
// answers from both; the store, the SOA serial, the ownership registry and
// the zone it transfers out hold its own records only, so what a peer
// relays never comes back as if it were ours.

// SetPeer replaces what one peer published for zone (nil clears it) and
// answers with it at once. Our own record wins where both have the same
// name, type and set identifier. It reports whether anything changed.
func (a *Authority) SetPeer(peer, zone string, eps []*endpoint.Endpoint) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	zone = strings.ToLower(strings.TrimSuffix(zone, "."))
	if _, ok := a.store.Zone(zone); !ok {
		return false, fmt.Errorf("dnsserver: peer %s: zone %s is not served here", peer, zone)
	}
	if a.peers == nil {
		a.peers = map[string]map[string][]*endpoint.Endpoint{}
	}
	if samePeerRecords(a.peers[zone][peer], eps) {
		return false, nil
	}
	for _, e := range eps {
		if _, _, err := recordRRs(e, a.opts); err != nil {
			return false, fmt.Errorf("dnsserver: peer %s: %w", peer, err)
		}
	}
	if a.peers[zone] == nil {
		a.peers[zone] = map[string][]*endpoint.Endpoint{}
	}
	if len(eps) == 0 {
		delete(a.peers[zone], peer)
	} else {
		a.peers[zone][peer] = eps
	}
	zs, err := a.build([]string{zone})
	if err != nil {
		return false, err
	}
	a.swap(a.snap.Load().with(zs...))
	return true, nil
}

// withPeers adds the peers' records of a zone to our own, ours first.
func (a *Authority) withPeers(sz store.Zone) store.Zone {
	byPeer := a.peers[sz.Name]
	if len(byPeer) == 0 {
		return sz
	}
	own := make(map[endpoint.Key]bool, len(sz.Records))
	for _, e := range sz.Records {
		own[e.Key()] = true
	}
	names := make([]string, 0, len(byPeer))
	for p := range byPeer {
		names = append(names, p)
	}
	slices.Sort(names)
	out := slices.Clone(sz.Records)
	for _, p := range names {
		for _, e := range byPeer[p] {
			if k := e.Key(); !own[k] {
				own[k] = true
				out = append(out, e)
			}
		}
	}
	sz.Records = out
	return sz
}

func samePeerRecords(a, b []*endpoint.Endpoint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].String() != b[i].String() || !slices.Equal(a[i].ProviderSpecific, b[i].ProviderSpecific) {
			return false
		}
	}
	return true
}

// ownTransfer lists a zone as it is transferred out: SOA, our own records
// (never a peer's), a routing record per routed name, SOA (RFC 5936).
func (a *Authority) ownTransfer(zone string) ([]dns.RR, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	z := a.snap.Load().zones[zone]
	sz, ok := a.store.Zone(strings.TrimSuffix(zone, "."))
	if z == nil || !ok {
		return nil, false
	}
	recs := slices.Clone(sz.Records)
	slices.SortFunc(recs, func(x, y *endpoint.Endpoint) int {
		if c := compareNames(dns.Fqdn(strings.ToLower(x.DNSName)), dns.Fqdn(strings.ToLower(y.DNSName))); c != 0 {
			return c
		}
		if c := strings.Compare(x.RecordType, y.RecordType); c != 0 {
			return c
		}
		return strings.Compare(x.SetIdentifier, y.SetIdentifier)
	})
	out := []dns.RR{z.soa}
	if !slices.ContainsFunc(recs, func(e *endpoint.Endpoint) bool {
		return e.RecordType == endpoint.RecordTypeNS && dns.Fqdn(strings.ToLower(e.DNSName)) == z.origin
	}) {
		// The synthesized apex NS: a secondary (BIND, Knot) refuses to load
		// a zone without one. Peers skip it on the way in.
		if rs := z.nodes[z.origin].get(dns.TypeNS); rs != nil {
			out = append(out, rs.all...)
		}
	}
	var routing []dns.RR
	for _, e := range recs {
		rrs, ok := z.converted[e]
		if !ok {
			var err error
			if _, rrs, err = recordRRs(e, a.opts); err != nil {
				continue // cannot happen: it was checked when stored
			}
		}
		out = append(out, rrs...)
		if routed(e) {
			routing = append(routing, routingRecord(e, rrs))
		}
	}
	out = append(out, routing...)
	return append(out, z.soa), true
}

// AnsweredSets returns the routed sets answered at name, ours and the
// peers', as endpoints (for explain and tests).
func (a *Authority) AnsweredSets(name string) []*endpoint.Endpoint {
	lname := dns.Fqdn(strings.ToLower(name))
	var out []*endpoint.Endpoint
	for _, rt := range a.Snapshot().routed() {
		if rt.Name != lname {
			continue
		}
		for _, s := range rt.Sets {
			e := &endpoint.Endpoint{DNSName: strings.TrimSuffix(lname, "."), RecordType: dns.TypeToString[rt.Type],
				SetIdentifier: s.SetIdentifier, ProviderSpecific: s.ProviderSpecific}
			for _, rr := range s.RRs {
				e.Targets = append(e.Targets, rrTarget(rr))
			}
			out = append(out, e)
		}
	}
	return out
}
