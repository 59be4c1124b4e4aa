package dnsserver

import (
	"context"
	"fmt"

	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// DynamicView is what an RFC 2136 update reads while it is decided: the
// records at a name, all of them (for prerequisites) and those updates
// wrote (which it may change), and whether exodns owns the name.
type DynamicView interface {
	At(name string) []*endpoint.Endpoint
	Dynamic(name string) []*endpoint.Endpoint
	Owned(name string) bool
}

// ApplyDynamic decides and commits one RFC 2136 update atomically: decide
// reads the records and returns the changes to the dynamic records (see
// store.ApplyDynamic), with nothing else applied in between. What it
// returns lands on disk and in the answers before ApplyDynamic returns.
func (a *Authority) ApplyDynamic(_ context.Context, decide func(DynamicView) (*plan.Changes, error)) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, err := decide(a.store)
	if err != nil || !c.HasChanges() {
		return err
	}
	for _, list := range [][]*endpoint.Endpoint{c.Create, c.UpdateNew} {
		for _, e := range list {
			if err := a.Check(e); err != nil {
				return fmt.Errorf("dnsserver: update: %w", err)
			}
		}
	}
	changed, err := a.store.ApplyDynamic(c)
	if err != nil {
		return err
	}
	zs, err := a.build(changed)
	if err != nil {
		return fmt.Errorf("dnsserver: update committed but cannot be served: %w", err)
	}
	a.snap.Store(a.snap.Load().with(zs...))
	return nil
}

// DynamicRecords returns every record written by RFC 2136 updates.
func (a *Authority) DynamicRecords() []*endpoint.Endpoint { return a.store.DynamicRecords() }

var _ DynamicView = (*store.Store)(nil)
