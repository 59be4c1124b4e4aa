package dnsserver

import (
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	dnszone "github.com/exodns/exodns/internal/zone"
)

// applyUpdates runs the update section over the dynamic records (RFC 2136
// section 3.4.2) and returns the difference as changes.
func applyUpdates(updates []dns.RR, v DynamicView) (*plan.Changes, error) {
	type key struct{ name, typ string }
	before := map[key]*endpoint.Endpoint{}
	after := map[key]*endpoint.Endpoint{}
	var order []key
	load := func(name string) {
		if _, done := before[key{name, ""}]; done {
			return
		}
		before[key{name, ""}] = nil // marks the name as loaded
		for _, e := range v.Dynamic(name) {
			k := key{name, e.RecordType}
			before[k], after[k] = e, e.DeepCopy()
			order = append(order, k)
		}
	}
	typesAt := func(name string) []string {
		var out []string
		for k, e := range after {
			if k.name == name && e != nil {
				out = append(out, k.typ)
			}
		}
		return out
	}
	for _, rr := range updates {
		h := rr.Header()
		name := strings.TrimSuffix(strings.ToLower(h.Name), ".")
		typ := dns.TypeToString[h.Rrtype]
		load(name)
		k := key{name, typ}
		switch h.Class {
		case dns.ClassINET:
			types := typesAt(name)
			if (typ == endpoint.RecordTypeCNAME && slices.ContainsFunc(types, func(t string) bool { return t != endpoint.RecordTypeCNAME })) ||
				(typ != endpoint.RecordTypeCNAME && slices.Contains(types, endpoint.RecordTypeCNAME)) {
				continue // a CNAME and other data never share a name (RFC 2136 section 3.4.2.2)
			}
			target := dnszone.Target(rr)
			e := after[k]
			if e == nil || typ == endpoint.RecordTypeCNAME {
				e = endpoint.New(name, typ)
				if _, seen := before[k]; !seen {
					order = append(order, k)
					before[k] = nil
				}
				after[k] = e
			}
			if !slices.Contains(e.Targets, target) {
				e.Targets = append(e.Targets, target)
			}
			e.RecordTTL = endpoint.TTL(h.Ttl)
		case dns.ClassANY:
			for kk := range after {
				if kk.name == name && (h.Rrtype == dns.TypeANY || kk.typ == typ) {
					after[kk] = nil
				}
			}
		case dns.ClassNONE:
			if e := after[k]; e != nil {
				target := dnszone.Target(rr)
				e.Targets = slices.DeleteFunc(e.Targets, func(t string) bool { return endpoint.Targets{t}.Same(endpoint.Targets{target}) })
				if len(e.Targets) == 0 {
					after[k] = nil
				}
			}
		}
	}
	c := &plan.Changes{}
	for _, k := range order {
		old, nw := before[k], after[k]
		switch {
		case old == nil && nw != nil:
			c.Create = append(c.Create, nw)
		case old != nil && nw == nil:
			c.Delete = append(c.Delete, old)
		case old != nil && (!old.Targets.Same(nw.Targets) || old.RecordTTL != nw.RecordTTL):
			c.UpdateOld, c.UpdateNew = append(c.UpdateOld, old), append(c.UpdateNew, nw)
		}
	}
	return c, nil
}
