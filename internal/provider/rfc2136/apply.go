package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// ErrServerRefused means the server's policy refused an update (REFUSED):
// a name its update-policy does not grant the key, for example.
var ErrServerRefused = errors.New("the server refused the update")

// maxMessage keeps an UPDATE well under the 64 KiB a TCP message allows,
// leaving room for the TSIG.
const maxMessage = 60000

// ApplyChanges sends the changes zone by zone, in UPDATE messages of at
// most --rfc2136-batch-change-size changes. A record and its ownership
// records travel in one message, which the server applies atomically.
//
// Every change carries prerequisites (RFC 2136 section 2.4), so the server
// applies it only to the records it was planned on:
//   - a CREATE requires its RRset not to exist, and no CNAME at its name;
//     a CNAME requires its name to be unused;
//   - an UPDATE or DELETE requires the RRset to hold exactly the old values.
//
// A message whose prerequisites fail, or that the server refuses, is
// split until each refused change stands alone (provider.Submitter); those
// are returned in a *provider.RefusedError, and everything else lands.
func (p *Provider) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	byZone, stray := p.zones.SplitByZone(c)
	out := &provider.RefusedError{}
	for _, e := range stray {
		out.Refused = append(out.Refused, provider.Refusal{Action: provider.ActionOf(c, e), Endpoint: e,
			Err: fmt.Errorf("%s is in none of the zones %v: %w", e.DNSName, p.zones.Zones(), provider.ErrNoZone)})
	}
	var errs []error
	zones := make([]string, 0, len(byZone))
	for z := range byZone {
		zones = append(zones, z)
	}
	slices.Sort(zones)
	limit := provider.Cost{Changes: p.cfg.BatchChangeSize, Values: 1 << 30, Bytes: maxMessage}
	for _, z := range zones {
		sub := provider.Submitter[provider.Change]{
			Send:      func(ctx context.Context, items []provider.Change) error { return p.send(ctx, z, items) },
			Refused:   refused,
			OnApplied: func(g provider.Group[provider.Change]) { out.Applied += len(g.Items) },
		}
		for _, f := range sub.Submit(ctx, provider.Pack(p.groups(byZone[z]), limit)) {
			if !refused(f.Err) {
				errs = append(errs, fmt.Errorf("zone %s: %w", z, f.Err))
				continue
			}
			out.Refused = append(out.Refused, provider.Refusal{Action: f.Group.Items[0].Action, Endpoint: provider.ChangeGroup(f.Group.Items).Primary(), Err: f.Err})
		}
	}
	if len(out.Refused) > 0 {
		errs = append(errs, out)
	}
	if err := errors.Join(dedupe(errs)...); err != nil {
		return fmt.Errorf("rfc2136: %w", err)
	}
	return nil
}

// dedupe keeps the first of errors that read the same: a server that is
// down fails every group with the same error.
func dedupe(errs []error) []error {
	var out []error
	seen := map[string]bool{}
	for _, e := range errs {
		if s := e.Error(); !seen[s] {
			seen[s] = true
			out = append(out, e)
		}
	}
	return out
}

// groups splits a zone's changes by owned name (a record with its
// ownership records), deletes first, each costed by its size on the wire.
func (p *Provider) groups(c *plan.Changes) []provider.Group[provider.Change] {
	var out []provider.Group[provider.Change]
	for _, g := range provider.GroupChanges(c) {
		var cost provider.Cost
		for _, ch := range g {
			size := 64 * len(ch.Endpoint.Targets)
			for _, t := range ch.Endpoint.Targets {
				size += len(t)
			}
			if ch.Old != nil {
				size *= 2
			}
			cost = cost.Add(provider.Cost{Changes: 1, Values: len(ch.Endpoint.Targets), Bytes: size})
		}
		out = append(out, provider.Group[provider.Change]{Items: g, Cost: cost})
	}
	return out
}

// send builds one UPDATE message and sends it.
func (p *Provider) send(ctx context.Context, zoneName string, items []provider.Change) error {
	m, err := p.message(zoneName, items)
	if err != nil {
		return err
	}
	start := time.Now()
	err = p.client.Update(ctx, m)
	p.metrics.request("update", err, time.Since(start))
	p.log.Debug("rfc2136: update", "zone", zoneName, "changes", len(items), "err", err)
	var re *RcodeError
	if errors.As(err, &re) {
		return fmt.Errorf("%w: %w", sentinel(re.Rcode), err)
	}
	return err
}

// message is the UPDATE for items, prerequisites first.
func (p *Provider) message(zoneName string, items []provider.Change) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetUpdate(dns.Fqdn(zoneName))
	// RRsets this message removes, by owner: a CREATE beside them need
	// not require them absent (prerequisites see the zone before the
	// message).
	removed := map[string][]uint16{}
	for _, it := range items {
		if it.Action != "create" {
			owner := dns.Fqdn(strings.ToLower(it.Endpoint.DNSName))
			removed[owner] = append(removed[owner], dns.StringToType[it.Endpoint.RecordType])
		}
	}
	for _, it := range items {
		if zoneIsDNSSEC(it.Endpoint) {
			return nil, fmt.Errorf("%s %s: DNSSEC records are the signer's: %w", it.Action, it.Endpoint.Key(), provider.ErrInvalid)
		}
		switch it.Action {
		case "create":
			rrs, err := p.rrs(it.Endpoint, p.ttl(it.Endpoint))
			if err != nil {
				return nil, err
			}
			owner, t := rrs[0].Header().Name, rrs[0].Header().Rrtype
			if t == dns.TypeCNAME && len(removed[owner]) == 0 {
				m.NameNotUsed(rrs[:1]) // which covers the CNAME itself
			} else {
				if t != dns.TypeCNAME && !slices.Contains(removed[owner], dns.TypeCNAME) {
					m.RRsetNotUsed([]dns.RR{&dns.ANY{Hdr: dns.RR_Header{Name: owner, Rrtype: dns.TypeCNAME}}})
				}
				if !slices.Contains(removed[owner], t) {
					m.RRsetNotUsed(rrs[:1])
				}
			}
			m.Insert(rrs)
		case "update", "delete":
			old := it.Endpoint
			if it.Action == "update" {
				old = it.Old
			}
			prereq, err := p.rrs(old, 0) // a value-dependent prerequisite has TTL 0
			if err != nil {
				return nil, err
			}
			m.Used(prereq)
			m.RemoveRRset(prereq[:1])
			if it.Action == "update" {
				rrs, err := p.rrs(it.Endpoint, p.ttl(it.Endpoint))
				if err != nil {
					return nil, err
				}
				m.Insert(rrs)
			}
		}
	}
	return m, nil
}

func (p *Provider) rrs(e *endpoint.Endpoint, ttl uint32) ([]dns.RR, error) {
	rrs, err := zoneRRs(e, ttl)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", provider.ErrInvalid, err)
	}
	return rrs, nil
}
