// Package inmemory is a provider that keeps records in process memory. It
// is the reference backend: it enforces the same change rules real DNS
// APIs do, so the rest of the pipeline is tested against something strict.
package inmemory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// Errors with which a change is refused.
var (
	ErrRecordExists  = errors.New("record already exists")
	ErrRecordMissing = errors.New("record does not exist")
	ErrNoZone        = errors.New("name is in no managed zone")
	ErrMismatch      = errors.New("record to change does not match the stored record")
)

// Provider stores records per zone.
type Provider struct {
	zones provider.ZoneMatcher

	mu      sync.RWMutex
	records map[endpoint.Key]*endpoint.Endpoint
	applies int
	version uint64
}

// New returns an empty provider serving the given zones (--inmemory-zone).
func New(zones []string) *Provider {
	return &Provider{zones: provider.NewZoneMatcher(zones), records: map[endpoint.Key]*endpoint.Endpoint{}}
}

// Records returns a copy of every record, sorted by key.
func (p *Provider) Records(_ context.Context) ([]*endpoint.Endpoint, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]*endpoint.Endpoint, 0, len(p.records))
	for _, e := range p.records {
		c := e.DeepCopy()
		c.Labels = endpoint.Labels{} // a DNS backend keeps no labels
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *endpoint.Endpoint) int { return compareKey(a.Key(), b.Key()) })
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
	return provider.ApplyIsolated(ctx, c, p.applyAll, refused)
}

func refused(err error) bool {
	return errors.Is(err, ErrRecordExists) || errors.Is(err, ErrRecordMissing) || errors.Is(err, ErrNoZone) || errors.Is(err, ErrMismatch)
}

// applyAll validates the whole batch first and then applies it, so a
// failing batch changes nothing.
func (p *Provider) applyAll(_ context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	if len(c.UpdateOld) != len(c.UpdateNew) {
		return fmt.Errorf("inmemory: %d old and %d new updates", len(c.UpdateOld), len(c.UpdateNew))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Validate against a view of the batch as it proceeds: deletes first,
	// then updates, then creates, as DNS APIs order them.
	gone := map[endpoint.Key]bool{}
	added := map[endpoint.Key]bool{}
	exists := func(k endpoint.Key) bool {
		_, ok := p.records[k]
		return (ok && !gone[k]) || added[k]
	}
	for _, e := range c.Delete {
		if err := p.checkMatch(e); err != nil {
			return err
		}
		gone[e.Key()] = true
	}
	for i, old := range c.UpdateOld {
		if err := p.checkMatch(old); err != nil {
			return err
		}
		if nw := c.UpdateNew[i]; nw.Key() != old.Key() {
			return fmt.Errorf("inmemory: update of %s changes its key to %s: %w", old.Key(), nw.Key(), ErrMismatch)
		}
	}
	for _, e := range c.Create {
		if _, ok := p.zones.Zone(e.DNSName); !ok {
			return fmt.Errorf("inmemory: create %s: %w", e.Key(), ErrNoZone)
		}
		if exists(e.Key()) {
			return fmt.Errorf("inmemory: create %s: %w", e.Key(), ErrRecordExists)
		}
		added[e.Key()] = true
	}
	for _, e := range c.Delete {
		delete(p.records, e.Key())
	}
	for _, e := range c.UpdateNew {
		p.records[e.Key()] = stored(e)
	}
	for _, e := range c.Create {
		p.records[e.Key()] = stored(e)
	}
	p.applies++
	p.version++
	return nil
}

// stored is the copy of e the zone keeps: a DNS backend keeps no labels.
func stored(e *endpoint.Endpoint) *endpoint.Endpoint {
	c := *e
	c.Labels = nil
	c.Targets = slices.Clone(e.Targets)
	c.ProviderSpecific = slices.Clone(e.ProviderSpecific)
	return &c
}

// checkMatch requires the record to exist with the same targets, as Route 53
// requires of a DELETE: a stale plan must fail rather than clobber.
func (p *Provider) checkMatch(e *endpoint.Endpoint) error {
	if _, ok := p.zones.Zone(e.DNSName); !ok {
		return fmt.Errorf("inmemory: change %s: %w", e.Key(), ErrNoZone)
	}
	cur, ok := p.records[e.Key()]
	if !ok {
		return fmt.Errorf("inmemory: change %s: %w", e.Key(), ErrRecordMissing)
	}
	if !cur.Targets.Same(e.Targets) {
		return fmt.Errorf("inmemory: change %s: %w", e.Key(), ErrMismatch)
	}
	return nil
}

func compareKey(a, b endpoint.Key) int {
	if c := strings.Compare(a.DNSName, b.DNSName); c != 0 {
		return c
	}
	if c := strings.Compare(a.RecordType, b.RecordType); c != 0 {
		return c
	}
	return strings.Compare(a.SetIdentifier, b.SetIdentifier)
}
