package provider

import (
	"slices"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// Change is one change of a batch.
type Change struct {
	Action   string             // "create", "update" or "delete"
	Old      *endpoint.Endpoint // the record an update replaces
	Endpoint *endpoint.Endpoint
}

// ChangeGroup is the changes that must land together: a record and its
// ownership records, which share the owned record's name. Backends that
// apply a batch group by group (a transaction, a PATCH) and
// ApplyIsolated, which halves refused batches, all split batches this way.
type ChangeGroup []Change

// GroupChanges splits a batch by owned name (OwnedName), in first-seen
// order, deletes first.
func GroupChanges(c *plan.Changes) []ChangeGroup {
	index := map[string]int{}
	var out []ChangeGroup
	add := func(ch Change) {
		n := OwnedName(ch.Endpoint)
		i, ok := index[n]
		if !ok {
			i = len(out)
			index[n] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], ch)
	}
	for _, e := range c.Delete {
		add(Change{Action: "delete", Endpoint: e})
	}
	for i, e := range c.UpdateNew {
		add(Change{Action: "update", Old: c.UpdateOld[i], Endpoint: e})
	}
	for _, e := range c.Create {
		add(Change{Action: "create", Endpoint: e})
	}
	return out
}

// ChangesOf puts groups back together into one batch.
func ChangesOf(gs ...ChangeGroup) *plan.Changes {
	c := &plan.Changes{}
	for _, g := range gs {
		for _, ch := range g {
			switch ch.Action {
			case "delete":
				c.Delete = append(c.Delete, ch.Endpoint)
			case "update":
				c.UpdateOld = append(c.UpdateOld, ch.Old)
				c.UpdateNew = append(c.UpdateNew, ch.Endpoint)
			default:
				c.Create = append(c.Create, ch.Endpoint)
			}
		}
	}
	return c
}

// Primary is the change a user would recognise in g, which carries its
// report: the first that is not an ownership record.
func (g ChangeGroup) Primary() *endpoint.Endpoint {
	for _, ch := range g {
		if ch.Endpoint.RecordType != endpoint.RecordTypeTXT || ch.Endpoint.Labels.Get(endpoint.OwnedRecordLabel) == "" {
			return ch.Endpoint
		}
	}
	return g[0].Endpoint
}

// ActionOf names what c does to e, one of its endpoints: "delete",
// "update" (e is a new half) or "create".
func ActionOf(c *plan.Changes, e *endpoint.Endpoint) string {
	switch {
	case slices.Contains(c.Delete, e):
		return "delete"
	case slices.Contains(c.UpdateNew, e):
		return "update"
	}
	return "create"
}
