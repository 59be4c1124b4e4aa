// Package inmemory is a provider that keeps records in process memory. It
// is the reference backend: it enforces the same change rules real DNS
// APIs do, so the rest of the pipeline is tested against something strict.
package inmemory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/zone"
)

// Errors with which a change is refused: the shared ones, so tests
// written against this reference backend hold for every backend.
var (
	ErrRecordExists  = provider.ErrRecordExists
	ErrRecordMissing = provider.ErrRecordMissing
	ErrNoZone        = provider.ErrNoZone
	ErrMismatch      = provider.ErrMismatch
	ErrCNAMEConflict = provider.ErrCNAMEConflict
)

// Provider stores records per zone.
type Provider struct {
	zones zone.Matcher

	mu      sync.RWMutex
	records *zone.Set
	applies int
	version uint64
}

// New returns an empty provider serving the given zones (--inmemory-zone).
func New(zones []string) *Provider {
	return &Provider{zones: zone.NewMatcher(zones), records: zone.NewSet()}
}

// Records returns a copy of every record, sorted by key. The copies are
// cut from two blocks, one of records and one of targets, instead of three
// allocations a record: a full read of a large zone made that much garbage
// every run. Each copy's targets are capped, so appending to them cannot
// reach the next record's.
func (p *Provider) Records(_ context.Context) ([]*endpoint.Endpoint, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := p.records.Sorted()
	n := 0
	for _, e := range out {
		n += len(e.Targets)
	}
	copies := make([]endpoint.Endpoint, len(out))
	targets := make([]string, 0, n)
	for i, e := range out {
		c := &copies[i]
		*c = *e
		if e.Targets != nil {
			start := len(targets)
			targets = append(targets, e.Targets...)
			c.Targets = targets[start:len(targets):len(targets)]
		}
		c.ProviderSpecific = slices.Clone(e.ProviderSpecific)
		c.Labels = endpoint.Labels{} // a DNS backend keeps no labels
		out[i] = c
	}
	return out, nil
}

// AdjustEndpoints returns the endpoints unchanged.
func (p *Provider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return eps, nil
}

// ZoneVersion implements provider.Versioned: it changes with every
// change that lands.
func (p *Provider) ZoneVersion() uint64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.version
}

// Applies counts successful non-empty ApplyChanges calls, for tests that
// assert a converged controller stops writing.
func (p *Provider) Applies() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.applies
}

// ApplyChanges applies c. A refused change (see the errors above) is set
// apart and reported in a *provider.RefusedError, and the rest lands, as
// with every provider.
func (p *Provider) ApplyChanges(ctx context.Context, c *plan.Changes) error {
	return provider.ApplyIsolated(ctx, c, p.applyAll, provider.Refused)
}

// applyAll checks the whole batch with the shared rules first and then
// applies it, so a failing batch changes nothing.
func (p *Provider) applyAll(_ context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := (zone.Rules{Zones: p.zones, Current: p.records}).Check(c); err != nil {
		return fmt.Errorf("inmemory: %w", err)
	}
	for _, e := range c.Delete {
		p.records.Delete(e.Key())
	}
	for _, e := range c.UpdateNew {
		p.records.Put(stored(e))
	}
	for _, e := range c.Create {
		p.records.Put(stored(e))
	}
	p.applies++
	p.version++
	return nil
}

// stored is the copy of e the zone keeps: a DNS backend keeps no labels.
func stored(e *endpoint.Endpoint) *endpoint.Endpoint {
	c := *e
	c.Labels = endpoint.Labels{}
	c.Targets = slices.Clone(e.Targets)
	c.ProviderSpecific = slices.Clone(e.ProviderSpecific)
	return &c
}
