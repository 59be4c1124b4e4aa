package plan

import (
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
)

// result turns the decided slots into Changes made of copies, sorted by key
// so that the same inputs always produce byte-identical batches.
func (p *planner) result() Result {
	c := &Changes{}
	type pair struct{ old, new *endpoint.Endpoint }
	var updates []pair
	for i := range p.slots {
		s := &p.slots[i]
		if len(p.held) > 0 && s.act != actNone && p.isHeld(s) {
			continue
		}
		switch s.act {
		case actCreate:
			c.Create = append(c.Create, p.created(&s.win))
		case actUpdate:
			updates = append(updates, pair{s.cur.DeepCopy(), p.updated(s.cur, &s.win)})
		case actDelete:
			c.Delete = append(c.Delete, s.cur.DeepCopy())
		}
	}
	byKey := func(a, b *endpoint.Endpoint) int { return compareKeys(keyOf(a), keyOf(b)) }
	slices.SortFunc(c.Create, byKey)
	slices.SortFunc(c.Delete, byKey)
	slices.SortFunc(updates, func(a, b pair) int { return byKey(a.old, b.old) })
	for _, u := range updates {
		c.UpdateOld = append(c.UpdateOld, u.old)
		c.UpdateNew = append(c.UpdateNew, u.new)
	}
	sortConflicts(p.conflicts)
	return Result{Changes: c, Conflicts: p.conflicts}
}

func (p *planner) created(w *claim) *endpoint.Endpoint {
	e := w.ep
	if !w.merged {
		e = e.DeepCopy()
	}
	p.own(e)
	return e
}

// updated keeps the current record's identity, so the provider matches the
// old and new halves, and its TTL when the desired one is unset.
func (p *planner) updated(cur *endpoint.Endpoint, w *claim) *endpoint.Endpoint {
	e := w.ep.DeepCopy()
	e.DNSName, e.RecordType, e.SetIdentifier = cur.DNSName, cur.RecordType, cur.SetIdentifier
	if !e.RecordTTL.IsConfigured() {
		e.RecordTTL = cur.RecordTTL
	}
	e.Labels = cur.Labels
	if w.res != "" {
		e.Labels.Set(endpoint.ResourceLabel, w.res)
	}
	p.own(e)
	return e
}

// own stamps our owner. With the noop registry (owner "") there is nothing
// to stamp, and an empty owner label would only be noise.
func (p *planner) own(e *endpoint.Endpoint) {
	if p.in.OwnerID == "" {
		return
	}
	e.Labels.Set(endpoint.OwnerLabel, p.in.OwnerID)
}
