package pdns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/zone"
)

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
		out.Refused = append(out.Refused, provider.Refusal{Action: provider.ActionOf(c, e), Endpoint: e,
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
	var ok []provider.Group[provider.Change]
	for _, g := range groups(c) {
		if err := rules.Check(provider.ChangesOf(g.Items)); err != nil {
			out.Refused = append(out.Refused, provider.Refusal{Action: g.Items[0].Action, Endpoint: provider.ChangeGroup(g.Items).Primary(), Err: err})
			continue
		}
		ok = append(ok, g)
	}
	sub := provider.Submitter[provider.Change]{
		Send:      func(ctx context.Context, items []provider.Change) error { return p.patch(ctx, z, items) },
		Refused:   func(err error) bool { return errors.Is(err, ErrContent) || errors.Is(err, provider.ErrInvalid) },
		OnApplied: func(g provider.Group[provider.Change]) { out.Applied += len(g.Items) },
	}
	var errs []error
	for _, f := range sub.Submit(ctx, provider.Pack(ok, provider.Cost{Changes: p.cfg.BatchChangeSize, Values: 1 << 30, Bytes: 1 << 30})) {
		if errors.Is(f.Err, ErrContent) || errors.Is(f.Err, provider.ErrInvalid) {
			out.Refused = append(out.Refused, provider.Refusal{Action: f.Group.Items[0].Action, Endpoint: provider.ChangeGroup(f.Group.Items).Primary(), Err: f.Err})
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
func (p *Provider) patch(ctx context.Context, z Zone, items []provider.Change) error {
	rrsets := make([]RRset, 0, len(items))
	for _, it := range items {
		rs := RRset{Name: fqdn(it.Endpoint.DNSName), Type: it.Endpoint.RecordType, Changetype: "REPLACE", Records: []Record{}}
		if it.Action == "delete" {
			rs.Changetype = "DELETE"
		} else {
			recs, err := contents(it.Endpoint)
			if err != nil {
				return fmt.Errorf("%s %s: %w: %w", it.Action, it.Endpoint.Key(), provider.ErrInvalid, err)
			}
			rs.TTL, rs.Records = ttlOf(it.Endpoint), recs
		}
		rrsets = append(rrsets, rs)
	}
	err := p.client.Patch(ctx, z.ID, rrsets)
	p.log.Debug("pdns: patch", "zone", z.Name, "rrsets", len(rrsets), "err", err)
	return err
}

func fqdn(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) + "." }

// groups splits changes by owned name (a record with its ownership
// records), deletes first, each costing one RRset per change.
func groups(c *plan.Changes) []provider.Group[provider.Change] {
	var out []provider.Group[provider.Change]
	for _, g := range provider.GroupChanges(c) {
		out = append(out, provider.Group[provider.Change]{Items: g, Cost: provider.Cost{Changes: len(g)}})
	}
	return out
}
