package dnsserver

import (
	"maps"
	"slices"
	"sync/atomic"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
)

// Snapshot is one immutable version of every zone served. A new one is
// built beside the old after each change and swapped in whole, so a query
// sees either all of a batch or none of it, and readers never lock.
type Snapshot struct {
	zones map[string]*zone // by origin: lowercase FQDN
	// cache holds packed answers for the UDP fast path. It belongs to the
	// snapshot, so a swap empties it and no answer outlives its data.
	cache atomic.Pointer[answerCache]
}

// zone is one zone's answer data, keyed by lowercase FQDN owner name.
type zone struct {
	origin string
	soa    *dns.SOA
	// negSOA is the SOA for negative answers: its TTL is min(SOA TTL,
	// MINIMUM), the negative caching TTL of RFC 2308 section 5.
	negSOA   []dns.RR
	nodes    map[string]*node
	hasCuts  bool // some NS below the apex: walk for referrals
	hasWild  bool // some wildcard: look for one before NXDOMAIN
	nRecords int
	// converted keeps each stored endpoint's records for the next build.
	converted map[*endpoint.Endpoint][]dns.RR
}

// node is one owner name. A node without rrsets is an empty non-terminal:
// the name exists (NODATA) because names below it do.
type node struct {
	rrsets []*rrset // sorted by type code
	cname  *rrset
	cut    *rrset // NS below the apex: a delegation
	wild   *node  // the "*" child, for wildcard synthesis
}

// rrset is the records of one name and type. all is the union over set
// identifiers; sets is kept only when set identifiers exist, for a Selector.
// extra is worked out once here rather than per query.
// Slices are clipped (cap == len), so an append by a reader copies instead
// of writing into the snapshot.
type rrset struct {
	rrtype uint16
	all    []dns.RR
	extra  []dns.RR // additional-section addresses for all (MX, SRV, NS)
	sets   []RRSet
	routed *Routed // the sets as a Selector sees them; nil without sets
}

// RRSet is the records of one endpoint: what a Selector chooses among when
// several endpoints share a name and type under different set identifiers.
type RRSet struct {
	SetIdentifier    string
	ProviderSpecific endpoint.ProviderSpecific
	RRs              []dns.RR
}

func (n *node) get(t uint16) *rrset {
	for _, rs := range n.rrsets {
		if rs.rrtype == t {
			return rs
		}
	}
	return nil
}

// zoneFor returns the most specific zone holding lname, or nil.
func (s *Snapshot) zoneFor(lname string) *zone {
	if s == nil || len(s.zones) == 0 {
		return nil
	}
	for off := 0; ; {
		if z := s.zones[lname[off:]]; z != nil {
			return z
		}
		next, end := dns.NextLabel(lname, off)
		if end {
			return nil
		}
		off = next
	}
}

// Zones returns the origins served, sorted.
func (s *Snapshot) Zones() []string {
	if s == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(s.zones))
}

// Serial returns a zone's SOA serial; origin is a lowercase FQDN.
func (s *Snapshot) Serial(origin string) (uint32, bool) {
	if s == nil || s.zones[origin] == nil {
		return 0, false
	}
	return s.zones[origin].soa.Serial, true
}

// with returns a new snapshot holding s's zones with the given ones replaced.
func (s *Snapshot) with(zs ...*zone) *Snapshot {
	n := &Snapshot{zones: make(map[string]*zone, len(zs))}
	if s != nil {
		maps.Copy(n.zones, s.zones)
	}
	for _, z := range zs {
		n.zones[z.origin] = z
	}
	return n
}
