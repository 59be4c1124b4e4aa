package dnsserver

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/gslb"
	"github.com/exodns/exodns/internal/plan"
)

// Authority is the data the server answers from: the store, plus the answer
// snapshot built from it. It is what the embedded provider writes to, so a
// change is on disk and answerable when ApplyChanges returns.
type Authority struct {
	store   *store.Store
	opts    ZoneOptions
	metrics *authorityMetrics

	// mu serialises Apply, so snapshots are swapped in commit order.
	mu       sync.Mutex
	snap     atomic.Pointer[Snapshot]
	watchers []func(*Snapshot) // told of each new snapshot, under mu
	// peers holds other clusters' records, by zone then peer (peers.go).
	peers map[string]map[string][]*endpoint.Endpoint
}

// Watch calls f with the current snapshot now and with every new one,
// in order; f must be quick (it runs while changes wait).
func (a *Authority) Watch(f func(*Snapshot)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.watchers = append(a.watchers, f)
	f(a.snap.Load())
}

// swap installs a new snapshot; call it with mu held.
func (a *Authority) swap(s *Snapshot) {
	a.snap.Store(s)
	for _, f := range a.watchers {
		f(s)
	}
}

// NewAuthority builds the first snapshot from everything in st. reg may be
// nil for no metrics.
func NewAuthority(st *store.Store, opts ZoneOptions, reg prometheus.Registerer) (*Authority, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &Authority{store: st, opts: opts, metrics: newAuthorityMetrics(reg)}
	zs, err := a.build(st.Zones())
	if err != nil {
		return nil, err
	}
	a.snap.Store((*Snapshot)(nil).with(zs...))
	return a, nil
}

// Snapshot returns the current answer data. It never blocks.
func (a *Authority) Snapshot() *Snapshot { return a.snap.Load() }

// Zones returns the zone names served, longest first.
func (a *Authority) Zones() []string { return a.store.Zones() }

// Records returns every stored record, without labels.
func (a *Authority) Records(_ context.Context) ([]*endpoint.Endpoint, error) {
	return a.store.Records(), nil
}

// Version changes whenever what Records returns may have changed (see
// store.Store.Version).
func (a *Authority) Version() uint64 { return a.store.Version() }

// Apply commits a batch to the store and swaps in a snapshot that holds it.
// Records the server could not answer with are rejected before anything is
// written, with the rest of their batch.
func (a *Authority) Apply(_ context.Context, c *plan.Changes) error {
	if !c.HasChanges() {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, list := range [][]*endpoint.Endpoint{c.Create, c.UpdateNew} {
		for _, e := range list {
			if e == nil {
				continue // the store reports it
			}
			if err := a.Check(e); err != nil {
				a.metrics.apply("rejected")
				return fmt.Errorf("dnsserver: apply: %w", err)
			}
		}
	}
	changed, err := a.store.Apply(c)
	if err != nil {
		a.metrics.apply("rejected")
		return err
	}
	zs, err := a.build(changed)
	if err != nil {
		// Cannot happen after the check above; if it does, the old answers
		// stay until the next change, and the caller hears about it.
		a.metrics.apply("error")
		return fmt.Errorf("dnsserver: apply committed but cannot be served: %w", err)
	}
	a.swap(a.snap.Load().with(zs...))
	a.metrics.apply("success")
	return nil
}

// Check reports whether the server could answer with e; Apply rejects a
// batch holding a record that fails it. The error wraps store.ErrInvalid.
func (a *Authority) Check(e *endpoint.Endpoint) error {
	if _, _, err := recordRRs(e, a.opts); err != nil {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	if routed(e) {
		// The routing the GSLB answers by must be readable, or the name
		// is held rather than answered some other way than asked.
		if _, err := gslb.SetFrom(e, a.opts.Regions); err != nil {
			return fmt.Errorf("%w: %w", store.ErrInvalid, err)
		}
	}
	return nil
}

// routed reports whether e asks for GSLB routing: a routing policy or a
// gslb property. A set identifier alone does not: ownership TXT records of
// routed records carry their set identifier and no policy.
func routed(e *endpoint.Endpoint) bool { return hasRouting(e.ProviderSpecific) }

func hasRouting(ps endpoint.ProviderSpecific) bool {
	for _, p := range ps {
		switch {
		case strings.HasPrefix(p.Name, "gslb/"), strings.HasPrefix(p.Name, "aws/geolocation-"),
			strings.HasPrefix(p.Name, "aws/geoproximity-"):
			return true
		}
		switch p.Name {
		case "aws/weight", "aws/failover", "aws/region", "aws/multi-value-answer":
			return true
		}
	}
	return false
}

// build makes the answer data of the named zones from the store.
func (a *Authority) build(names []string) ([]*zone, error) {
	zs := make([]*zone, 0, len(names))
	for _, name := range names {
		sz, ok := a.store.Zone(name)
		if !ok {
			continue
		}
		var prev *zone
		if cur := a.snap.Load(); cur != nil {
			prev = cur.zones[dns.Fqdn(strings.ToLower(name))]
		}
		z, err := buildZone(a.withPeers(sz), a.opts, prev)
		if err != nil {
			return nil, fmt.Errorf("dnsserver: zone %s: %w", name, err)
		}
		a.metrics.zone(name, z)
		zs = append(zs, z)
	}
	return zs, nil
}
