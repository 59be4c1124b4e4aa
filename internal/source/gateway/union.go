package gateway

import (
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
)

// Union gives every route that asks for one record set the targets of all
// of them, and returns the endpoints in the same order; the inputs are not
// modified. Two routes publishing one hostname through two Gateways are
// served by both, so the name answers with both Gateways' addresses, as
// upstream's source merges them.
//
// Each route keeps its own endpoint and resource label, now with equal
// records. The plan treats equal claims as no conflict and keeps the
// record with the route that already owns it, else the smallest resource
// name. So a record upstream labelled with either route is adopted as it
// is (upstream labels a merged record with whichever route it listed
// first), and no ownership record is rewritten.
//
// Endpoints are grouped by name, type, set identifier and TTL, as
// upstream does: routes with different TTLs or set identifiers ask for
// different records. A CNAME holds one target, so CNAMEs to different
// hosts are left apart: the plan keeps one and reports the others.
func Union(eps []*endpoint.Endpoint) []*endpoint.Endpoint {
	type unionKey struct {
		endpoint.Key
		ttl endpoint.TTL
	}
	groups := map[unionKey][]int{}
	for i, e := range eps {
		if e == nil || e.Held() {
			continue
		}
		k := unionKey{e.Key(), e.RecordTTL}
		groups[k] = append(groups[k], i)
	}
	out := slices.Clone(eps)
	for k, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		var all []string
		for _, i := range idx {
			all = appendNew(all, eps[i].Targets...)
		}
		if k.RecordType == endpoint.RecordTypeCNAME && len(all) > 1 {
			continue
		}
		slices.Sort(all)
		for _, i := range idx {
			c := eps[i].DeepCopy()
			c.Targets = slices.Clone(all)
			out[i] = c
		}
	}
	return out
}
