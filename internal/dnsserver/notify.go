package dnsserver

import (
	"net/netip"

	"github.com/miekg/dns"
)

// Notify is one accepted NOTIFY (RFC 1996): a primary saying that a zone
// we serve changed. exodns serves its zones from its own store, so nothing
// follows from it yet; Config.OnNotify is where a later feature (a GSLB
// peer pulling a zone) hooks in.
type Notify struct {
	Zone string     // the zone's origin, lowercase FQDN
	From netip.Addr // the sender
	// Serial is the SOA serial the NOTIFY carried, if HasSerial.
	Serial    uint32
	HasSerial bool
}

// notifyPolicy says who may notify us, and whom to tell.
type notifyPolicy struct {
	allow []netip.Prefix
	hook  func(Notify)
}

func (p notifyPolicy) allows(ip netip.Addr) bool {
	for _, pf := range p.allow {
		if pf.Contains(ip) {
			return true
		}
	}
	return false
}

// notified answers a NOTIFY: NOERROR with AA and the question echoed when
// it names a zone we serve and comes from an allowed peer (or is signed
// with our key); REFUSED otherwise.
func (h *Handler) notified(req *Request) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req.Req)
	z := h.auth.Snapshot().zones[req.lname]
	if z == nil || !(h.notify.allows(req.IP()) || h.signedByUs(req)) {
		m.Rcode = dns.RcodeRefused
		h.metrics.notify(false)
		h.log.Info("dnsserver: refused a NOTIFY", "zone", req.name, "client", req.IP().String(), "served", z != nil)
		return m
	}
	m.Authoritative = true
	n := Notify{Zone: z.origin, From: req.IP()}
	for _, rr := range req.Req.Answer {
		if soa, ok := rr.(*dns.SOA); ok {
			n.Serial, n.HasSerial = soa.Serial, true
		}
	}
	h.metrics.notify(true)
	h.log.Debug("dnsserver: NOTIFY", "zone", n.Zone, "client", n.From.String(), "serial", n.Serial)
	if h.notify.hook != nil {
		h.notify.hook(n)
	}
	return m
}
