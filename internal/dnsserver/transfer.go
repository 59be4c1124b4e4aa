package dnsserver

import (
	"strings"

	"github.com/miekg/dns"
)

// transferChunk is the uncompressed size at which a transfer message is
// sent: far enough under 64 KiB to leave room for the TSIG.
const transferChunk = 32 << 10

// transfer answers AXFR, and IXFR with a full transfer (RFC 1995 section 4
// allows it), but only over TCP and only to a client holding our TSIG key:
// a transfer hands out the whole zone.
func (h *Handler) transfer(req *Request) {
	if !req.tcp || !h.signedByUs(req) {
		h.fail(req, dns.RcodeRefused)
		return
	}
	z := h.auth.Snapshot().zones[req.lname]
	if z == nil {
		h.fail(req, dns.RcodeRefused) // not the apex of a zone we serve
		return
	}
	if req.qtype == dns.TypeIXFR && upToDate(req.Req, z.soa.Serial) {
		h.sendTransfer(req, []dns.RR{z.soa})
		return
	}
	rrs, ok := h.auth.ownTransfer(req.lname)
	if !ok {
		h.fail(req, dns.RcodeRefused)
		return
	}
	h.sendTransfer(req, rrs)
}

// upToDate reports whether an IXFR's SOA serial is not older than ours
// (RFC 1982 serial arithmetic), which RFC 1995 answers with our SOA alone.
func upToDate(r *dns.Msg, serial uint32) bool {
	for _, rr := range r.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			return int32(serial-soa.Serial) <= 0
		}
	}
	return false
}

// sendTransfer writes rrs in as many signed messages as they need.
func (h *Handler) sendTransfer(req *Request, rrs []dns.RR) {
	for len(rrs) > 0 {
		n, size := 0, 0
		for n < len(rrs) && (n == 0 || size+dns.Len(rrs[n]) <= transferChunk) {
			size += dns.Len(rrs[n])
			n++
		}
		m := new(dns.Msg)
		m.SetReply(req.Req)
		m.Authoritative, m.Compress = true, true
		m.Answer = rrs[:n:n]
		m.Extra = append(m.Extra, h.responseTSIG(req, m))
		if err := req.W.WriteMsg(m); err != nil {
			if h.log != nil {
				h.log.Debug("dnsserver: zone transfer aborted", "zone", req.lname, "err", err)
			}
			return
		}
		// Later messages chain their MAC on the previous one (RFC 8945
		// section 5.3.1), as miekg/dns's own Transfer.Out does.
		req.W.TsigTimersOnly(true)
		rrs = rrs[n:]
	}
	h.metrics.response(true, dns.RcodeSuccess)
}

// compareNames orders names label by label from the right, so a zone file
// reads like a tree.
func compareNames(a, b string) int {
	la, lb := dns.SplitDomainName(a), dns.SplitDomainName(b)
	for i, j := len(la)-1, len(lb)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if c := strings.Compare(la[i], lb[j]); c != 0 {
			return c
		}
	}
	return len(la) - len(lb)
}
