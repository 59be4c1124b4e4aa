package dnsserver

import (
	"slices"

	"github.com/miekg/dns"
)

// result is what a lookup found; the handler turns it into rcode and AA.
type result uint8

const (
	resultSuccess    result = iota
	resultNoData            // the name exists, the type does not: NOERROR, SOA
	resultNXDomain          // the name does not exist: NXDOMAIN, SOA
	resultDelegation        // the name is below a zone cut: referral, not AA
)

// maxChain bounds how many CNAMEs are followed after the first, so a loop
// or a long chain costs a fixed amount of work.
const maxChain = 8

// lookup answers req from zone z, then follows a CNAME through every zone
// the snapshot holds. It only finds records; message building is the
// handler's job.
func (h *Handler) lookup(snap *Snapshot, z *zone, req *Request) (answer, ns, extra []dns.RR, res result) {
	answer, ns, extra, res, next := h.lookupName(z, req.name, req.lname, req.qtype, req)
	if res == resultDelegation {
		req.glue = ns[0].Header().Name
	}
	if next == "" {
		return answer, ns, extra, res
	}
	seen := [maxChain + 1]string{req.lname}
	for i := 1; i <= maxChain; i++ {
		if slices.Contains(seen[:i], next) {
			break // a loop: answer what we have
		}
		tz := snap.zoneFor(next)
		if tz == nil {
			break // the chain leaves our zones; the resolver follows it
		}
		a, ns, extra, res, target := h.lookupName(tz, next, next, req.qtype, req)
		if res == resultDelegation {
			// RFC 1034 section 4.3.2 step 3b: the chain leads below a zone
			// cut, so the answer goes on as a referral there: the CNAMEs,
			// then the delegation's NS and glue.
			req.glue = ns[0].Header().Name
			return answer, ns, extra, res
		}
		answer = append(answer, a...)
		if target == "" {
			// RFC 6604: the rcode and authority describe the last name.
			return answer, ns, extra, res
		}
		seen[i], next = next, target
	}
	return answer, nil, nil, resultSuccess
}

// lookupName answers one name in one zone, per RFC 1034 section 4.3.2.
// owner is the name to give synthesized (wildcard) records. A non-empty
// next is the CNAME target still to follow.
func (h *Handler) lookupName(z *zone, owner, lname string, qtype uint16, req *Request) (answer, ns, extra []dns.RR, res result, next string) {
	if z.hasCuts {
		if cut := z.cutAbove(lname, qtype); cut != nil {
			return nil, cut.all, cut.extra, resultDelegation, ""
		}
	}
	n, wild := z.nodes[lname], false
	if n == nil && z.hasWild {
		n = z.wildcard(lname)
		wild = n != nil
	}
	if n == nil {
		return nil, z.negSOA, nil, resultNXDomain, ""
	}
	rs := n.get(qtype)
	switch {
	case n.cname != nil && qtype != dns.TypeCNAME:
		rs = n.cname
	case qtype == dns.TypeANY && len(n.rrsets) > 0:
		// RFC 8482: answer ANY with one RRset, the lowest type code, rather
		// than everything the name holds.
		rs = n.rrsets[0]
	}
	if rs == nil {
		return nil, z.negSOA, nil, resultNoData, ""
	}
	answer, extra = h.choose(z, rs, req)
	if len(answer) == 0 {
		return nil, z.negSOA, nil, resultNoData, ""
	}
	if wild {
		answer = withOwner(answer, owner)
	}
	if c, ok := answer[0].(*dns.CNAME); ok && qtype != dns.TypeCNAME && qtype != dns.TypeANY {
		next = c.Target
	}
	return answer, nil, extra, resultSuccess, next
}

// choose applies the Selector to an RRset with set identifiers.
func (h *Handler) choose(z *zone, rs *rrset, req *Request) (answer, extra []dns.RR) {
	if rs.routed == nil || h.selector == nil {
		return rs.all, rs.extra
	}
	req.selected = true // the answer depends on the client: never cache it
	answer = h.selector.Select(req, rs.routed)
	return answer, z.additional(answer)
}

// cutAbove returns the NS RRset of the highest zone cut at or above lname,
// if any. At the cut itself, DS belongs to the parent and is answered here.
func (z *zone) cutAbove(lname string, qtype uint16) *rrset {
	var offs [128]int // a name has at most 127 labels
	n := 0
	for off := 0; n < len(offs) && len(lname)-off > len(z.origin); n++ {
		offs[n] = off
		next, end := dns.NextLabel(lname, off)
		if end {
			break
		}
		off = next
	}
	for i := n - 1; i >= 0; i-- {
		nd := z.nodes[lname[offs[i]:]]
		if nd == nil {
			return nil // every existing name has its ancestors: nothing deeper
		}
		if nd.cut != nil && (i > 0 || qtype != dns.TypeDS) {
			return nd.cut
		}
	}
	return nil
}

// wildcard returns the wildcard node that synthesizes lname, a name with no
// node of its own: the "*" child of its closest encloser (RFC 4592).
func (z *zone) wildcard(lname string) *node {
	for off := 0; ; {
		next, end := dns.NextLabel(lname, off)
		if end || len(lname)-next < len(z.origin) {
			return nil
		}
		off = next
		if ce := z.nodes[lname[off:]]; ce != nil {
			return ce.wild
		}
	}
}

// additional returns the addresses of the hosts MX, SRV and NS records name,
// where this zone holds them, to save the resolver a round trip. Every A
// record comes before any AAAA record (as BIND orders them): when a small
// buffer cuts the list, each host keeps an address as long as possible.
func (z *zone) additional(rrs []dns.RR) []dns.RR {
	var extra []dns.RR
	for _, t := range []uint16{dns.TypeA, dns.TypeAAAA} {
		extra = append(extra, z.addresses(rrs, t)...)
	}
	return slices.Clip(extra)
}

// addresses returns the records of type t of the hosts rrs name.
func (z *zone) addresses(rrs []dns.RR, t uint16) []dns.RR {
	var extra []dns.RR
	var seen []string
	for _, rr := range rrs {
		var host string
		switch v := rr.(type) {
		case *dns.MX:
			host = v.Mx
		case *dns.SRV:
			host = v.Target
		case *dns.NS:
			host = v.Ns
		default:
			return nil // an RRset has one type: none of these
		}
		if slices.Contains(seen, host) {
			continue
		}
		seen = append(seen, host)
		if n := z.nodes[host]; n != nil {
			if rs := n.get(t); rs != nil {
				extra = append(extra, rs.all...)
			}
		}
	}
	return extra
}

// withOwner copies records under another owner name, for wildcard answers.
func withOwner(rrs []dns.RR, owner string) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		c := dns.Copy(rr)
		c.Header().Name = owner
		out[i] = c
	}
	return out
}
