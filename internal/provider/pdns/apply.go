package pdns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/zone"
)

// change is one change of a batch.
type change struct {
	action string
	old    *endpoint.Endpoint // for an update
	ep     *endpoint.Endpoint
}

// ApplyChanges changes each zone with PATCH requests of at most
// --pdns-batch-change-size RRsets, each applied by PowerDNS all or
// nothing; a record and its ownership records share a PATCH.
//
// The API replaces an RRset whatever it holds, so before writing, the
// zone is read again and every change is checked against it with the
// shared batch rules (zone.Rules): a CREATE of an RRset that exists, or an
// UPDATE or DELETE of one that changed since the plan read it, is refused
// rather than clobbering a record someone else wrote. Refused changes, and
// values the API rejects (422, isolated by halving the PATCH), come back
// in a *provider.RefusedError; the rest lands.
func (p *Provider) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	zones, err := p.managed(ctx)
	if err != nil {
		return err
	}
	names := make([]string, len(zones))
	byName := map[string]Zone{}
	for i, z := range zones {
		names[i] = strings.ToLower(strings.TrimSuffix(z.Name, "."))
		byName[names[i]] = z
	}
	matcher := zone.NewMatcher(names)
	byZone, stray := matcher.SplitByZone(c)
	out := &provider.RefusedError{}
	for _, e := range stray {
		out.Refused = append(out.Refused, provider.Refusal{Action: actionOf(c, e), Endpoint: e,
			Err: fmt.Errorf("%s is in none of the zones %v: %w", e.DNSName, names, provider.ErrNoZone)})
	}
	var errs []error
	keys := make([]string, 0, len(byZone))
	for k := range byZone {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, name := range keys {
		if err := p.applyZone(ctx, byName[name], byZone[name], out); err != nil {
			errs = append(errs, fmt.Errorf("zone %s: %w", name, err))
		}
	}
	if len(out.Refused) > 0 {
		errs = append(errs, out)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pdns: %w", err)
	}
	return nil
}

func (p *Provider) applyZone(ctx context.Context, z Zone, c *plan.Changes, out *provider.RefusedError) error {
	full, err := p.client.Zone(ctx, z.ID)
	if err != nil {
		return err
	}
	current, err := endpoints(full)
	if err != nil {
		return err
	}
	state := zone.NewSet()
	for _, e := range current {
		state.Put(e)
	}
	rules := zone.Rules{Current: state}
	var ok []provider.Group[change]
	for _, g := range groups(c) {
		if err := rules.Check(changesOf(g.Items)); err != nil {
			out.Refused = append(out.Refused, provider.Refusal{Action: g.Items[0].action, Endpoint: primary(g.Items), Err: err})
			continue
		}
		ok = append(ok, g)
	}
	sub := provider.Submitter[change]{
		Send:      func(ctx context.Context, items []change) error { return p.patch(ctx, z, items) },
		Refused:   func(err error) bool { return errors.Is(err, ErrContent) || errors.Is(err, provider.ErrInvalid) },
		OnApplied: func(g provider.Group[change]) { out.Applied += len(g.Items) },
	}
	var errs []error
	for _, f := range sub.Submit(ctx, provider.Pack(ok, provider.Cost{Changes: p.cfg.BatchChangeSize, Values: 1 << 30, Bytes: 1 << 30})) {
		if errors.Is(f.Err, ErrContent) || errors.Is(f.Err, provider.ErrInvalid) {
			out.Refused = append(out.Refused, provider.Refusal{Action: f.Group.Items[0].action, Endpoint: primary(f.Group.Items), Err: f.Err})
			continue
		}
		if !slices.ContainsFunc(errs, func(e error) bool { return e.Error() == f.Err.Error() }) {
			errs = append(errs, f.Err)
		}
	}
	return errors.Join(errs...)
}

// patch sends items as one PATCH: REPLACE for a create or an update,
// DELETE for a delete.
func (p *Provider) patch(ctx context.Context, z Zone, items []change) error {
	rrsets := make([]RRset, 0, len(items))
	for _, it := range items {
		rs := RRset{Name: fqdn(it.ep.DNSName), Type: it.ep.RecordType, Changetype: "REPLACE", Records: []Record{}}
		if it.action == "delete" {
			rs.Changetype = "DELETE"
		} else {
			recs, err := contents(it.ep)
			if err != nil {
				return fmt.Errorf("%s %s: %w: %w", it.action, it.ep.Key(), provider.ErrInvalid, err)
			}
			rs.TTL, rs.Records = ttlOf(it.ep), recs
		}
		rrsets = append(rrsets, rs)
	}
	err := p.client.Patch(ctx, z.ID, rrsets)
	p.log.Debug("pdns: patch", "zone", z.Name, "rrsets", len(rrsets), "err", err)
	return err
}

func fqdn(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) + "." }

// groups splits changes by owned name (a record with its ownership
// records), deletes first.
func groups(c *plan.Changes) []provider.Group[change] {
	index := map[string]int{}
	var out []provider.Group[change]
	add := func(ch change) {
		n := provider.OwnedName(ch.ep)
		i, ok := index[n]
		if !ok {
			i = len(out)
			index[n] = i
			out = append(out, provider.Group[change]{})
		}
		out[i].Items = append(out[i].Items, ch)
		out[i].Cost = out[i].Cost.Add(provider.Cost{Changes: 1})
	}
	for _, e := range c.Delete {
		add(change{action: "delete", ep: e})
	}
	for i, e := range c.UpdateNew {
		add(change{action: "update", old: c.UpdateOld[i], ep: e})
	}
	for _, e := range c.Create {
		add(change{action: "create", ep: e})
	}
	return out
}

func changesOf(items []change) *plan.Changes {
	c := &plan.Changes{}
	for _, it := range items {
		switch it.action {
		case "delete":
			c.Delete = append(c.Delete, it.ep)
		case "update":
			c.UpdateOld, c.UpdateNew = append(c.UpdateOld, it.old), append(c.UpdateNew, it.ep)
		default:
			c.Create = append(c.Create, it.ep)
		}
	}
	return c
}

func actionOf(c *plan.Changes, e *endpoint.Endpoint) string {
	switch {
	case slices.Contains(c.Delete, e):
		return "delete"
	case slices.Contains(c.UpdateNew, e):
		return "update"
	}
	return "create"
}

// primary is the change a user would recognise in a group: the first that
// is not an ownership record.
func primary(items []change) *endpoint.Endpoint {
	for _, it := range items {
		if it.ep.RecordType != endpoint.RecordTypeTXT || it.ep.Labels[endpoint.OwnedRecordLabel] == "" {
			return it.ep
		}
	}
	return items[0].ep
}
