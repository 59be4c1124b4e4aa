package plan

import (
	"cmp"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// Conflict reports desired records that were not applied because something
// else holds the record set. Winner and Losers are resources such as
// service/ns/name; Winner may be empty when the holder carries no resource
// label (for example a record created by hand).
type Conflict struct {
	Key    endpoint.Key
	Winner string
	Losers []string
	Reason string
}

// Reasons a Conflict can carry, besides ownedBy and blockedBy.
const (
	// ReasonClaimed is one text for both ways of winning, so a conflict
	// reads the same before and after the winner's record exists; events
	// and logs built from it then deduplicate instead of changing each run.
	ReasonClaimed        = "claimed by several resources with different records: the resource already holding it keeps it, otherwise the smallest resource name wins"
	ReasonCNAMEExclusive = "a CNAME cannot share its name with other record types"
)

// ownedBy is the reason for desired records at a key someone else owns.
// For a record with no readable owner, the registry may have noted what it
// found instead (endpoint.OwnershipNoteLabel), which is then the reason.
func ownedBy(cur *endpoint.Endpoint) string {
	owner := cur.Labels.Get(endpoint.OwnerLabel)
	if owner != "" {
		return "owned by " + owner
	}
	if note := cur.Labels.Get(endpoint.OwnershipNoteLabel); note != "" {
		return "owned by nobody exodns can read: " + note + "; it is not taken over"
	}
	return "owned by nobody: the record exists without an owner, so it is not taken over"
}

// claim is what one resource wants at one key. Records of the same resource
// are merged into a private copy, so the inputs are never written to.
type claim struct {
	ep     *endpoint.Endpoint
	res    string
	merged bool
}

// merge folds e into c. Every rule here is commutative (union, minimum) so
// the result does not depend on the order the sources listed the records.
func (c *claim) merge(e *endpoint.Endpoint) {
	if !c.merged {
		c.ep = c.ep.DeepCopy()
		c.merged = true
	}
	d := c.ep
	d.Targets = append(d.Targets, e.Targets...)
	if e.RecordTTL.IsConfigured() && (!d.RecordTTL.IsConfigured() || e.RecordTTL < d.RecordTTL) {
		d.RecordTTL = e.RecordTTL
	}
	for _, p := range e.ProviderSpecific {
		if v, ok := d.ProviderSpecific.Get(p.Name); !ok || p.Value < v {
			d.ProviderSpecific.Set(p.Name, p.Value)
		}
	}
	for k, v := range e.Labels.All() {
		if old, ok := d.Labels.Lookup(k); !ok || v < old {
			d.Labels.Set(k, v)
		}
	}
}

// finalize puts a merged claim into a canonical order, dropping targets
// that differ only in case or a trailing dot.
func (c *claim) finalize() {
	if !c.merged {
		return
	}
	norm := canonName // targets compare as names do: case and trailing dot aside
	t := c.ep.Targets
	slices.SortFunc(t, func(a, b string) int {
		return cmp.Or(strings.Compare(norm(a), norm(b)), strings.Compare(a, b))
	})
	c.ep.Targets = slices.CompactFunc(t, func(a, b string) bool { return norm(a) == norm(b) })
	slices.SortFunc(c.ep.ProviderSpecific, func(a, b endpoint.ProviderSpecificProperty) int {
		return strings.Compare(a.Name, b.Name)
	})
}

// sameRecord compares what DNS would serve, which is what makes two claims
// a real conflict rather than the same wish said twice.
func sameRecord(a, b *endpoint.Endpoint) bool {
	return a.RecordTTL == b.RecordTTL && sameTargets(a.Targets, b.Targets) &&
		sameProviderSpecific(a.ProviderSpecific, b.ProviderSpecific)
}

// sameTargets and sameProviderSpecific try an exact comparison first: the
// library versions sort copies, and a steady-state plan compares every
// record, so the common equal case must not allocate.
func sameTargets(a, b endpoint.Targets) bool {
	return slices.Equal(a, b) || a.Same(b)
}

func sameProviderSpecific(a, b endpoint.ProviderSpecific) bool {
	return slices.Equal(a, b) || a.Same(b)
}

// resolveClaims picks one claim per key and drops keys owned by someone else.
func (p *planner) resolveClaims() {
	for i := range p.slots {
		s := &p.slots[i]
		if s.win.ep == nil {
			continue
		}
		if !s.multi {
			s.win.finalize()
			if s.cur == nil || s.ours {
				continue
			}
		}
		claims := p.claims(i)
		for j := range claims {
			claims[j].finalize()
		}
		key := keyOf(s.win.ep)
		if s.cur != nil && !s.ours {
			s.lost = true
			p.report(key, s.cur.Resource(), resources(claims), ownedBy(s.cur))
			continue
		}
		w := pickWinner(claims, s.cur)
		s.win = claims[w]
		var losers []string
		for j, c := range claims {
			if j != w && !sameRecord(c.ep, s.win.ep) {
				losers = append(losers, c.res)
			}
		}
		if len(losers) > 0 {
			slices.Sort(losers)
			p.report(key, s.win.res, losers, ReasonClaimed)
		}
	}
}

// pickWinner keeps the record with the resource that already holds it, so
// adding a second claimant never moves a record; otherwise it takes the
// smallest resource name, which every replica and every run agrees on.
// incumbent is nil or a record we own.
func pickWinner(claims []claim, incumbent *endpoint.Endpoint) int {
	if incumbent != nil {
		res := incumbent.Resource()
		for j, c := range claims {
			if c.res == res {
				return j
			}
		}
	}
	best := 0
	for j, c := range claims {
		if c.res < claims[best].res {
			best = j
		}
	}
	return best
}

// resources lists the claimants, sorted.
func resources(claims []claim) []string {
	out := make([]string, 0, len(claims))
	for _, c := range claims {
		out = append(out, c.res)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (p *planner) report(key endpoint.Key, winner string, losers []string, reason string) {
	p.conflicts = append(p.conflicts, Conflict{Key: key, Winner: winner, Losers: losers, Reason: reason})
}

func sortConflicts(cs []Conflict) {
	slices.SortFunc(cs, func(a, b Conflict) int {
		return cmp.Or(compareKeys(a.Key, b.Key), strings.Compare(a.Reason, b.Reason),
			strings.Compare(a.Winner, b.Winner), slices.Compare(a.Losers, b.Losers))
	})
}
