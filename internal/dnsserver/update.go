package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	dnszone "github.com/exodns/exodns/internal/zone"
)

// RFC 2136 dynamic updates. Who may change what:
//   - only a client signing with an update key (--embedded-update-key);
//     unsigned, or signed with the transfer key, is REFUSED; a bad
//     signature is NOTAUTH (check, before we get here);
//   - only names inside that key's subtrees (else REFUSED);
//   - never a name where exodns's controller has a record, its ownership
//     TXT records included (else REFUSED): those belong to the plan;
//   - never the SOA, the apex NS or DNSSEC records (else REFUSED).
// Updates are written to the store's dynamic records, durably, and are
// answered at once; the controller never lists them, so it never deletes
// them (see store.ApplyDynamic).

// updateError carries the rcode an update is answered with.
type updateError struct {
	rcode int
	why   string
}

func (e *updateError) Error() string { return dns.RcodeToString[e.rcode] + ": " + e.why }

func refuse(rcode int, format string, a ...any) error {
	return &updateError{rcode: rcode, why: fmt.Sprintf(format, a...)}
}

// update answers an UPDATE message.
func (h *Handler) update(req *Request) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req.Req)
	if len(h.updateKeys) == 0 {
		m.Rcode = dns.RcodeNotImplemented // no --embedded-update-key: not a dynamic server
		return m
	}
	key, err := h.updateAuth(req)
	if err == nil {
		err = h.auth.ApplyDynamic(context.Background(), func(v DynamicView) (*plan.Changes, error) {
			return decideUpdate(req.Req, key, v)
		})
	}
	var ue *updateError
	switch {
	case err == nil:
		m.Rcode = dns.RcodeSuccess
	case errors.As(err, &ue):
		m.Rcode = ue.rcode
	case errors.Is(err, store.ErrOwned):
		m.Rcode = dns.RcodeRefused
	case errors.Is(err, store.ErrInvalid):
		m.Rcode = dns.RcodeFormatError
	case errors.Is(err, store.ErrRecordExists), errors.Is(err, store.ErrCNAMEConflict), errors.Is(err, store.ErrMismatch):
		m.Rcode = dns.RcodeRefused // a race with the controller: nothing was written
	default:
		m.Rcode = dns.RcodeServerFailure
	}
	keyName := ""
	if key != nil {
		keyName = key.Name
	}
	if err != nil {
		h.log.Info("dnsserver: refused an update", "zone", req.name, "key", keyName, "client", req.IP().String(), "rcode", dns.RcodeToString[m.Rcode], "err", err)
	} else {
		h.log.Info("dnsserver: update applied", "zone", req.name, "key", keyName, "client", req.IP().String(), "updates", len(req.Req.Ns))
	}
	return m
}

// updateAuth checks the key and the zone.
func (h *Handler) updateAuth(req *Request) (*UpdateKey, error) {
	t := req.Req.IsTsig()
	if t == nil || req.tsig != tsigValid {
		return nil, refuse(dns.RcodeRefused, "updates must be signed with an update key")
	}
	key := h.updateKey(t.Hdr.Name)
	if key == nil {
		return nil, refuse(dns.RcodeRefused, "key %s may not update", t.Hdr.Name)
	}
	if req.qtype != dns.TypeSOA {
		return key, refuse(dns.RcodeFormatError, "the zone section must name a SOA")
	}
	if h.auth.Snapshot().zones[req.lname] == nil {
		return key, refuse(dns.RcodeNotAuth, "not authoritative for %s", req.lname)
	}
	return key, nil
}

// decideUpdate checks the prerequisites and the updates against v and
// returns the changes to the dynamic records.
func decideUpdate(r *dns.Msg, key *UpdateKey, v DynamicView) (*plan.Changes, error) {
	origin := strings.ToLower(r.Question[0].Name)
	if err := checkPrereqs(origin, r.Answer, v); err != nil {
		return nil, err
	}
	for _, rr := range r.Ns {
		if err := checkUpdateRR(origin, rr, key, v); err != nil {
			return nil, err
		}
	}
	return applyUpdates(r.Ns, v)
}

// checkPrereqs evaluates the prerequisite section (RFC 2136 section 3.2)
// against every record of the zone, the controller's included.
func checkPrereqs(origin string, prereqs []dns.RR, v DynamicView) error {
	type rrset struct{ name, typ string }
	values := map[rrset][]string{}
	for _, rr := range prereqs {
		h := rr.Header()
		name := strings.ToLower(h.Name)
		if h.Ttl != 0 {
			return refuse(dns.RcodeFormatError, "prerequisite %s has a TTL", name)
		}
		if !dns.IsSubDomain(origin, name) {
			return refuse(dns.RcodeNotZone, "prerequisite %s is outside %s", name, origin)
		}
		at := v.At(strings.TrimSuffix(name, "."))
		typ := dns.TypeToString[h.Rrtype]
		has := slices.ContainsFunc(at, func(e *endpoint.Endpoint) bool { return e.RecordType == typ })
		switch {
		case h.Class == dns.ClassANY && h.Rrtype == dns.TypeANY:
			if len(at) == 0 {
				return refuse(dns.RcodeNameError, "%s is not in use", name)
			}
		case h.Class == dns.ClassANY:
			if !has {
				return refuse(dns.RcodeNXRrset, "%s has no %s", name, typ)
			}
		case h.Class == dns.ClassNONE && h.Rrtype == dns.TypeANY:
			if len(at) > 0 {
				return refuse(dns.RcodeYXDomain, "%s is in use", name)
			}
		case h.Class == dns.ClassNONE:
			if has {
				return refuse(dns.RcodeYXRrset, "%s has %s", name, typ)
			}
		case h.Class == dns.ClassINET:
			k := rrset{strings.TrimSuffix(name, "."), typ}
			values[k] = append(values[k], dnszone.Target(rr))
		default:
			return refuse(dns.RcodeFormatError, "prerequisite %s of class %d", name, h.Class)
		}
	}
	for k, want := range values {
		var have endpoint.Targets
		for _, e := range v.At(k.name) {
			if e.RecordType == k.typ {
				have = append(have, e.Targets...)
			}
		}
		slices.Sort(have)
		have = slices.Compact(have)
		slices.Sort(want)
		if !have.Same(slices.Compact(want)) {
			return refuse(dns.RcodeNXRrset, "%s %s does not hold exactly the values required", k.name, k.typ)
		}
	}
	return nil
}

// checkUpdateRR is RFC 2136 section 3.4.1's prescan, and exodns's rules
// of who may change what.
func checkUpdateRR(origin string, rr dns.RR, key *UpdateKey, v DynamicView) error {
	h := rr.Header()
	name := strings.ToLower(h.Name)
	if !dns.IsSubDomain(origin, name) {
		return refuse(dns.RcodeNotZone, "%s is outside %s", name, origin)
	}
	switch h.Class {
	case dns.ClassINET:
		if h.Rrtype == dns.TypeANY || isMetaType(h.Rrtype) || isTransfer(h.Rrtype) {
			return refuse(dns.RcodeFormatError, "cannot add type %d", h.Rrtype)
		}
	case dns.ClassANY:
		if h.Ttl != 0 || (h.Rrtype != dns.TypeANY && (isMetaType(h.Rrtype) || isTransfer(h.Rrtype))) {
			return refuse(dns.RcodeFormatError, "bad delete of %s", name)
		}
	case dns.ClassNONE:
		if h.Ttl != 0 || h.Rrtype == dns.TypeANY || isMetaType(h.Rrtype) || isTransfer(h.Rrtype) {
			return refuse(dns.RcodeFormatError, "bad delete of a record of %s", name)
		}
	default:
		return refuse(dns.RcodeFormatError, "class %d", h.Class)
	}
	typ := dns.TypeToString[h.Rrtype]
	switch {
	case h.Rrtype == dns.TypeSOA || dnszone.IsDNSSEC(h.Rrtype) || (h.Rrtype == dns.TypeNS && name == origin):
		return refuse(dns.RcodeRefused, "%s %s is the server's", name, typ)
	case h.Rrtype != dns.TypeANY && !endpoint.IsKnownRecordType(typ):
		return refuse(dns.RcodeRefused, "type %s is not served", typ)
	case !key.Allows(name):
		return refuse(dns.RcodeRefused, "key %s may not change %s", key.Name, name)
	case v.Owned(strings.TrimSuffix(name, ".")):
		return refuse(dns.RcodeRefused, "%s holds records exodns owns", name)
	}
	return nil
}
