// Package embedded is the provider for exodns's own DNS server: records go
// to its durable store and are answered by internal/dnsserver as soon as
// ApplyChanges returns, with no external DNS service involved.
package embedded

import (
	"context"
	"fmt"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/zone"
)

// Backend is what the provider needs of the server side;
// *dnsserver.Authority provides it.
type Backend interface {
	Records(ctx context.Context) ([]*endpoint.Endpoint, error)
	Apply(ctx context.Context, c *plan.Changes) error
	// Check reports whether the server could answer with e.
	Check(e *endpoint.Endpoint) error
	Zones() []string
	// Version changes whenever what Records returns may have changed.
	Version() uint64
}

// Provider implements provider.Provider over a Backend.
type Provider struct {
	backend Backend
	zones   zone.Matcher
}

var (
	_ provider.Provider  = (*Provider)(nil)
	_ provider.Versioned = (*Provider)(nil)
)

// New returns a provider writing to b. zones limits it to some of the
// backend's zones; none means all of them.
func New(b Backend, zones ...string) *Provider {
	if len(zones) == 0 {
		zones = b.Zones()
	}
	return &Provider{backend: b, zones: zone.NewMatcher(zones)}
}

// Records returns the records in the provider's zones. They carry empty
// labels, as every DNS backend's do: ownership lives in TXT records.
func (p *Provider) Records(ctx context.Context) ([]*endpoint.Endpoint, error) {
	all, err := p.backend.Records(ctx)
	if err != nil {
		return nil, fmt.Errorf("embedded: records: %w", err)
	}
	out := all[:0]
	for _, e := range all {
		if _, ok := p.zones.Zone(e.DNSName); ok {
			e.Labels = endpoint.Labels{}
			out = append(out, e)
		}
	}
	return out, nil
}

// ZoneVersion implements provider.Versioned with the store's count of
// commits to the controller's records. With it, a periodic resync that
// finds the count where this controller left it plans only what changed
// instead of reading every record back.
func (p *Provider) ZoneVersion() uint64 { return p.backend.Version() }

// ApplyChanges commits the batch. A change the store refuses (a name in no
// zone, a create of an existing record, a stale delete) is set apart and
// reported in a *provider.RefusedError; every other change still lands.
// When it returns, what was applied is on disk and already answered.
func (p *Provider) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	byZone, stray := p.zones.SplitByZone(c)
	var inZone plan.Changes
	for _, zc := range byZone {
		inZone.Create = append(inZone.Create, zc.Create...)
		inZone.UpdateOld = append(inZone.UpdateOld, zc.UpdateOld...)
		inZone.UpdateNew = append(inZone.UpdateNew, zc.UpdateNew...)
		inZone.Delete = append(inZone.Delete, zc.Delete...)
	}
	err := provider.ApplyIsolated(ctx, &inZone, p.backend.Apply, provider.Refused)
	if len(stray) == 0 {
		if err != nil {
			return fmt.Errorf("embedded: %w", err)
		}
		return nil
	}
	out := &provider.RefusedError{}
	if re, ok := provider.AsRefused(err); ok {
		out = re
	} else if err != nil {
		return fmt.Errorf("embedded: %w", err)
	} else {
		out.Applied = inZone.Len()
	}
	for _, e := range stray {
		out.Refused = append(out.Refused, provider.Refusal{Action: provider.ActionOf(c, e), Endpoint: e,
			Err: fmt.Errorf("%s is in none of the zones %v: %w", e.DNSName, p.zones.Zones(), provider.ErrNoZone)})
	}
	return fmt.Errorf("embedded: %w", out)
}

// AdjustEndpoints leaves TTLs and targets as they are, because the store
// keeps them exactly as given (TTL 0 stays 0 and is answered with the
// default), so the plan sees no lasting difference.
//
// An endpoint the server could not answer with is marked held instead:
// otherwise it would fail every batch it rides in, stalling all other
// changes, while holding its name only leaves that name as it is.
func (p *Provider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	out := make([]*endpoint.Endpoint, len(eps))
	for i, e := range eps {
		out[i] = e
		if e.Held() {
			continue
		}
		if _, ok := p.zones.Zone(e.DNSName); !ok {
			out[i] = e.DeepCopy().WithLabel(endpoint.HoldLabel, fmt.Sprintf("%s is in none of the embedded server's zones %v (--embedded-zone)", e.DNSName, p.zones.Zones()))
			continue
		}
		if err := p.backend.Check(e); err != nil {
			out[i] = e.DeepCopy().WithLabel(endpoint.HoldLabel, "embedded DNS server cannot serve it: "+err.Error())
		}
	}
	return out, nil
}
